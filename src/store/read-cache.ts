import { LruCache } from '../lru-cache.js';

/**
 * Memoized point reads of the embedded store. In WAL mode every SQLite read transaction takes
 * and drops a shared lock on the WAL index (~5 µs of syscalls here) — several per AssumeRole.
 * Results stay valid until the data changes:
 *   - a write through this connection clears the cache at once, so this process always reads
 *     its own writes;
 *   - a commit by another connection (another process on the same file, the CLI) changes
 *     `PRAGMA data_version`, which is checked at most once per `recheckMs`: another process's
 *     change is seen within that window, well inside AWS's own eventual consistency ("Any change
 *     that you make … takes time to become visible from all possible endpoints", CloudTrail User
 *     Guide, "Managing data consistency in CloudTrail", which says the same of other AWS services).
 * Cached values are shared between callers: the store's records are read-only by type.
 */
export class ReadCache {
  readonly #entries: LruCache<string, unknown>;
  readonly #dataVersion: () => number;
  readonly #recheckMs: number;
  #version = -1;
  #checkedAt = -Infinity;

  constructor(options: { readonly dataVersion: () => number; readonly recheckMs?: number; readonly capacity?: number }) {
    this.#dataVersion = options.dataVersion;
    this.#recheckMs = options.recheckMs ?? 1;
    this.#entries = new LruCache({ maxEntries: options.capacity ?? 4096 });
  }

  get<T>(key: string, load: () => T): T {
    this.#revalidate();
    if (this.#entries.has(key)) return this.#entries.get(key) as T;
    const value = load();
    this.#entries.set(key, value);
    return value;
  }

  /** After any write through this connection. */
  clear(): void {
    this.#entries.clear();
  }

  /** After a write whose only effect on cached reads is known (usage bookkeeping). */
  delete(key: string): void {
    this.#entries.delete(key);
  }

  #revalidate(): void {
    const now = performance.now();
    if (now - this.#checkedAt < this.#recheckMs) return;
    this.#checkedAt = now;
    const version = this.#dataVersion();
    if (version !== this.#version) {
      this.#version = version;
      this.#entries.clear();
    }
  }
}
