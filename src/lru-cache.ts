/**
 * A least-recently-used map bounded by entry count and, optionally, by an estimated weight
 * (bytes of heap, say): the hot-path caches (compiled policies, opened tokens, store reads)
 * must hold memory flat however many roles, sessions or documents pass through them.
 */
export class LruCache<K, V> {
  readonly #entries = new Map<K, { readonly value: V; readonly weight: number }>();
  readonly #maxEntries: number;
  readonly #maxWeight: number;
  readonly #weigh: ((key: K, value: V) => number) | undefined;
  #weight = 0;

  constructor(options: { readonly maxEntries: number; readonly maxWeight?: number; readonly weigh?: (key: K, value: V) => number }) {
    this.#maxEntries = options.maxEntries;
    this.#maxWeight = options.maxWeight ?? Infinity;
    this.#weigh = options.weigh;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Total estimated weight of the entries held. */
  get weight(): number {
    return this.#weight;
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    // Map order is insertion order: re-inserting makes this the most recently used.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  set(key: K, value: V): void {
    this.delete(key);
    const weight = this.#weigh ? this.#weigh(key, value) : 1;
    this.#entries.set(key, { value, weight });
    this.#weight += weight;
    while (this.#entries.size > this.#maxEntries || (this.#weight > this.#maxWeight && this.#entries.size > 1)) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  delete(key: K): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#weight -= entry.weight;
  }

  clear(): void {
    this.#entries.clear();
    this.#weight = 0;
  }
}
