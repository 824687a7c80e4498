import { randomBytes } from 'node:crypto';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Store } from '../store/store.js';

export interface SessionKey {
  /** 4 bytes, written in front of each token so any node finds the key without a lookup. */
  readonly id: number;
  readonly key: Buffer;
  readonly createdAt: Date;
}

const META_KEY = 'session-key-ring';
const PURPOSE = 'session-key-ring';
/** The longest session STS issues (GetSessionToken/GetFederationToken: 36 h); retired keys live this long. */
const MAX_SESSION_MS = 36 * 3600 * 1000;

interface StoredKey {
  readonly id: number;
  readonly key: string;
  readonly createdAt: string;
}

/**
 * The keys that seal session tokens, kept in the store sealed with the master key. The newest
 * key seals; every key still within the longest session lifetime of its successor opens, so a
 * rotation leaves live sessions valid until they expire.
 */
export class KeyRing {
  readonly #keys: readonly SessionKey[];
  readonly #byId: ReadonlyMap<number, SessionKey>;

  private constructor(keys: readonly SessionKey[]) {
    if (keys.length === 0) throw new Error('a key ring needs at least one key');
    this.#keys = keys;
    this.#byId = new Map(keys.map((k) => [k.id, k]));
  }

  get current(): SessionKey {
    return this.#keys[this.#keys.length - 1]!;
  }

  get size(): number {
    return this.#keys.length;
  }

  find(id: number): SessionKey | undefined {
    return this.#byId.get(id);
  }

  /** A ring with one fresh key that lives only in memory (tools and tests). */
  static ephemeral(now: Date): KeyRing {
    return new KeyRing([newKey(now, [])]);
  }

  /** Loads the ring, creating its first key on first start. */
  static async load(store: Store, box: SecretBox, now: Date): Promise<KeyRing> {
    const existing = await store.getMeta(META_KEY);
    if (existing !== undefined) return KeyRing.#decode(existing, box);
    const first = encode([newKey(now, [])], box);
    return KeyRing.#decode(await store.putMetaIfAbsent(META_KEY, first), box);
  }

  /** Adds a new current key and drops keys no session can still use. */
  static async rotate(store: Store, box: SecretBox, now: Date): Promise<KeyRing> {
    const ring = await KeyRing.load(store, box, now);
    const kept = ring.#keys.filter((key, i) => {
      const successor = ring.#keys[i + 1];
      return successor === undefined || now.getTime() - successor.createdAt.getTime() < MAX_SESSION_MS;
    });
    const next = [...kept, newKey(now, kept)];
    await store.putMeta(META_KEY, encode(next, box));
    return new KeyRing(next);
  }

  static #decode(sealed: string, box: SecretBox): KeyRing {
    const stored = JSON.parse(box.open(sealed, PURPOSE)) as StoredKey[];
    return new KeyRing(stored.map((k) => ({ id: k.id, key: Buffer.from(k.key, 'base64'), createdAt: new Date(k.createdAt) })));
  }
}

function newKey(now: Date, existing: readonly SessionKey[]): SessionKey {
  let id: number;
  do id = randomBytes(4).readUInt32BE(0);
  while (existing.some((k) => k.id === id));
  return { id, key: randomBytes(32), createdAt: now };
}

function encode(keys: readonly SessionKey[], box: SecretBox): string {
  const stored: StoredKey[] = keys.map((k) => ({ id: k.id, key: k.key.toString('base64'), createdAt: k.createdAt.toISOString() }));
  return box.seal(JSON.stringify(stored), PURPOSE);
}
