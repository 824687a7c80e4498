import { randomFillSync } from 'node:crypto';

/**
 * Random bytes for IDs, secrets and nonces, from a pool refilled 4 KB at a time. Each
 * `crypto.randomBytes` call crosses into OpenSSL (~5 µs here, whatever the size), and an
 * AssumeRole needs four small draws; the pool makes them ~0.1 µs. Bytes are never handed out
 * twice: each draw copies and advances past them (the same scheme as Node's randomUUID).
 */
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

export function randomBytesPooled(size: number): Buffer {
  if (size > POOL_SIZE / 16) return randomFillSync(Buffer.allocUnsafe(size));
  if (offset + size > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Buffer.allocUnsafe(size);
  pool.copy(out, 0, offset, offset + size);
  // Zero what was taken, so the pool never holds a copy of a secret already handed out.
  pool.fill(0, offset, offset + size);
  offset += size;
  return out;
}
