import * as nodeCrypto from 'node:crypto';

type OneShot = (algorithm: string, data: string | Uint8Array, outputEncoding: 'hex' | 'base64') => string;

// crypto.hash (Node ≥ 20.12) skips the Hash object: about three times faster for short inputs.
const oneShot: OneShot | undefined = typeof nodeCrypto.hash === 'function' ? (nodeCrypto.hash as OneShot) : undefined;

/** Lower-case hex SHA-256; strings are hashed as UTF-8. */
export const sha256Hex: (data: string | Uint8Array) => string = oneShot
  ? (data) => oneShot('sha256', data, 'hex')
  : (data) => nodeCrypto.createHash('sha256').update(data).digest('hex');

export const sha256Base64: (data: string | Uint8Array) => string = oneShot
  ? (data) => oneShot('sha256', data, 'base64')
  : (data) => nodeCrypto.createHash('sha256').update(data).digest('base64');

const BLOCK = 64;

/**
 * HMAC-SHA256 under one fixed key, as RFC 2104 spells it out: H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)).
 * The padded keys are computed once, so each message costs two one-shot hashes instead of a
 * fresh crypto.Hmac (which re-imports the key every time). Without crypto.hash, falls back to
 * createHmac.
 */
export class HmacSha256Key {
  readonly key: Buffer;
  readonly #innerPad: Buffer;
  readonly #outerPad: Buffer;

  constructor(key: Buffer) {
    const k = key.length > BLOCK ? nodeCrypto.createHash('sha256').update(key).digest() : key;
    this.key = key;
    this.#innerPad = Buffer.alloc(BLOCK, 0x36);
    this.#outerPad = Buffer.alloc(BLOCK, 0x5c);
    for (let i = 0; i < k.length; i++) {
      this.#innerPad[i] = 0x36 ^ (k[i] as number);
      this.#outerPad[i] = 0x5c ^ (k[i] as number);
    }
  }

  /** Lower-case hex HMAC of the UTF-8 encoding of `message`. */
  hex(message: string): string {
    if (oneShot === undefined) return nodeCrypto.createHmac('sha256', this.key).update(message).digest('hex');
    // 3 bytes per UTF-16 unit bound any UTF-8 encoding, so write() never truncates.
    const inner = Buffer.allocUnsafe(BLOCK + message.length * 3);
    this.#innerPad.copy(inner, 0);
    const length = BLOCK + inner.write(message, BLOCK, 'utf8');
    const innerHash = oneShot('sha256', inner.subarray(0, length), 'base64');
    const outer = Buffer.allocUnsafe(BLOCK + 32);
    this.#outerPad.copy(outer, 0);
    outer.write(innerHash, BLOCK, 'base64');
    return oneShot('sha256', outer, 'hex');
  }
}
