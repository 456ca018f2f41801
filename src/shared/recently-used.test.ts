import { describe, expect, it } from 'vitest';
import { RecentlyUsed } from './recently-used.js';

describe('RecentlyUsed', () => {
  it('makes a value once, and forgets the one used longest ago when full', () => {
    const made: string[] = [];
    const cache = new RecentlyUsed<string>(2);
    const get = (key: string) =>
      cache.get(key, () => {
        made.push(key);
        return key.toUpperCase();
      });
    expect(get('a')).toBe('A');
    get('b');
    get('a'); // now b is the one used longest ago
    get('c');
    get('a');
    get('b');
    expect(made).toEqual(['a', 'b', 'c', 'b']);
  });
});
