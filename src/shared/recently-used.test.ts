import { describe, expect, it } from 'vitest';
import { RecentlyUsed } from './recently-used.js';

describe('RecentlyUsed', () => {
  it('makes a value once, and forgets the one used longest ago when full', () => {
    const made: string[] = [];
    const cache = new RecentlyUsed<string, string>(2);
    const get = (key: string) =>
      cache.getOrMake(key, () => {
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
    expect(cache.size).toBe(2);
  });

  it('forgets on request', () => {
    const cache = new RecentlyUsed<number, string>(3);
    cache.set(1, 'one');
    cache.set(2, 'two');
    cache.delete(1);
    expect(cache.get(1)).toBeUndefined();
    expect([...cache.entries()]).toEqual([[2, 'two']]);
  });
});
