/**
 * Per-account request quota (AWS STS: 600 requests/s per account by default). A token bucket
 * with a one-second burst; `0` disables it.
 */
export class RateLimiter {
  readonly #rate: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(perSecond: number) {
    this.#rate = perSecond;
  }

  /** Takes one token for `key` at time `nowMs`; false when the quota is exhausted. */
  take(key: string, nowMs: number): boolean {
    if (this.#rate <= 0) return true;
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.#rate, at: nowMs };
      this.#buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(this.#rate, bucket.tokens + ((nowMs - bucket.at) / 1000) * this.#rate);
      bucket.at = nowMs;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
