import { resolve } from 'node:path';

import type { DialectName } from './dialects/features.js';

export type { DialectName };

export interface DatabaseTarget {
  readonly dialect: DialectName;
  /** A file path for SQLite, a connection string for PostgreSQL. */
  readonly location: string;
}

/** `sqlite:./data/changeboard.db`, `sqlite::memory:`, `postgres://…` or `postgresql://…`. */
export function parseDatabaseUrl(url: string): DatabaseTarget | string {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!file) return 'a SQLite URL needs a file, e.g. sqlite:./data/changeboard.db';
    return { dialect: 'sqlite', location: file === ':memory:' ? file : resolve(file) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', location: url };
  return 'must start with sqlite: or postgres://';
}
