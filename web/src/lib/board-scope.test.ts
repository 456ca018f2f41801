import { describe, expect, it } from 'vitest';
import { describeScope } from './board-scope.js';

describe('describeScope', () => {
  it('says what an insights link narrows the board to', () => {
    expect(
      describeScope(
        new URLSearchParams(
          'createdFrom=2026-10-01T00:00:00.000Z&createdTo=2026-11-01T00:00:00.000Z&state=approved,rejected',
        ),
      ),
    ).toBe('Created 1 Oct 2026 – 31 Oct 2026 · Approved, Rejected');
    expect(describeScope(new URLSearchParams('createdFrom=2026-10-01T00:00:00.000Z'))).toBe(
      'Created from 1 Oct 2026',
    );
    expect(describeScope(new URLSearchParams('service=payments'))).toBe('');
  });
});
