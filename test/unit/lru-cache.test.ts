import { describe, expect, it } from 'vitest';
import { LruCache } from '../../src/lru-cache.js';

describe('LruCache', () => {
  it('keeps at most maxEntries, evicting the least recently used', () => {
    const cache = new LruCache<string, number>({ maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recently used
    cache.set('c', 3);
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
    expect(cache.size).toBe(2);
  });

  it('keeps its estimated weight under maxWeight, and accounts for replaced and deleted entries', () => {
    const cache = new LruCache<string, string>({ maxEntries: 100, maxWeight: 10, weigh: (_key, value) => value.length });
    cache.set('a', 'xxxx');
    cache.set('b', 'xxxx');
    expect(cache.weight).toBe(8);
    cache.set('a', 'xx'); // replaces: 2 + 4
    expect(cache.weight).toBe(6);
    cache.set('c', 'xxxxxx'); // 12 > 10: the least recently used (b) goes
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
    expect(cache.weight).toBe(8);
    cache.delete('c');
    expect(cache.weight).toBe(2);
    cache.clear();
    expect([cache.size, cache.weight]).toEqual([0, 0]);
  });

  it('keeps a single entry heavier than the budget rather than nothing', () => {
    const cache = new LruCache<string, string>({ maxEntries: 10, maxWeight: 3, weigh: (_key, value) => value.length });
    cache.set('a', 'xxxxx');
    expect(cache.get('a')).toBe('xxxxx');
    cache.set('b', 'xx');
    expect([cache.has('a'), cache.has('b')]).toEqual([false, true]);
  });
});
