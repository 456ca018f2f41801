import { describe, expect, it } from 'vitest';
import { describeDatabaseError } from './readiness.js';

const coded = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('describeDatabaseError', () => {
  it('names the kind of failure and its code, never the message', () => {
    expect(describeDatabaseError(coded('ECONNREFUSED', 'connect ECONNREFUSED 10.1.2.3:5432'))).toBe(
      'the database cannot be reached (ECONNREFUSED)',
    );
    expect(describeDatabaseError(coded('3D000', 'database "cb_prod" does not exist'))).toBe(
      'the database does not exist (3D000)',
    );
    expect(
      describeDatabaseError(coded('28P01', 'password authentication failed for user "cb"')),
    ).toBe('the database refused the credentials (28P01)');
    expect(describeDatabaseError(coded('XX000', 'internal error at /var/lib/pg'))).toBe(
      'the database refused the check (XX000)',
    );
    expect(describeDatabaseError(coded('SQLITE_CORRUPT', 'database disk image is malformed'))).toBe(
      'the database file cannot be used (SQLITE_CORRUPT)',
    );
    expect(describeDatabaseError(new Error('driver has already been destroyed'))).toBe(
      'the database connection is closed',
    );
    expect(describeDatabaseError(new Error('postgres://cb:hunter2@db/cb is gone'))).toBe(
      'the database check failed (the server log has the error)',
    );
  });
});
