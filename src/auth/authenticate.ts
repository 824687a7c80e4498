import type { SecretBox } from '../crypto/secret-box.js';
import { LruCache } from '../lru-cache.js';
import { AwsError } from '../protocol/errors.js';
import type { Store } from '../store/store.js';
import type { KeyRing } from '../tokens/key-ring.js';
import { SessionTokenCache } from '../tokens/session-token.js';
import type { Caller } from './principal.js';
import { rootArn } from './principal.js';
import {
  EXPIRED_TOKEN_MESSAGE,
  INVALID_CLIENT_TOKEN_MESSAGE,
  SigningKeyCache,
  parseSignature,
  verifySignature,
  type HttpRequestLike,
  type SignatureInfo,
} from './sigv4/index.js';

export interface Authenticated {
  readonly caller: Caller;
  readonly signature: SignatureInfo;
}

interface OpenedSecret {
  readonly sealed: string;
  readonly secret: string;
}

const LAST_USED_INTERVAL_MS = 60_000;

/**
 * SigV4 → a Caller. Long-term keys (AKIA) are looked up in the store and their secret opened
 * with the master key; temporary keys (ASIA) are resolved from their sealed session token
 * alone (sigv4.md §5).
 */
export class Authenticator {
  readonly #store: Store;
  readonly #secrets: SecretBox;
  readonly #partition: string;
  readonly #ring: () => KeyRing;
  readonly #reloadRing: () => Promise<KeyRing>;
  readonly #signingKeys = new SigningKeyCache(4096);
  readonly #secretCache = new LruCache<string, OpenedSecret>({ maxEntries: 10_000 });
  readonly #tokens = new SessionTokenCache();
  readonly #lastUsedWritten = new Map<string, number>();

  constructor(options: { store: Store; secrets: SecretBox; partition: string; ring: () => KeyRing; reloadRing: () => Promise<KeyRing> }) {
    this.#store = options.store;
    this.#secrets = options.secrets;
    this.#partition = options.partition;
    this.#ring = options.ring;
    this.#reloadRing = options.reloadRing;
  }

  /** Parses the signature without verifying it (to choose the service and reject early). */
  parse(request: HttpRequestLike, now: Date): SignatureInfo | undefined {
    const parsed = parseSignature(request, now);
    if (parsed.ok) return parsed.info;
    if (parsed.failure.code === 'MissingAuthenticationToken') return undefined;
    throw new AwsError(parsed.failure.code, parsed.failure.message, { status: parsed.failure.status });
  }

  async authenticate(request: HttpRequestLike, info: SignatureInfo, now: Date): Promise<Authenticated> {
    const { caller, secret } = info.accessKeyId.startsWith('ASIA')
      ? await this.#temporary(info, now)
      : await this.#longTerm(info);
    const failure = verifySignature(request, info, secret, this.#signingKeys);
    if (failure) throw new AwsError(failure.code, failure.message, { status: failure.status });
    if (!caller.session) this.#noteUse(caller.accessKeyId, now, info);
    return { caller, signature: info };
  }

  async #temporary(info: SignatureInfo, now: Date): Promise<{ caller: Caller; secret: string }> {
    if (info.securityToken === undefined) throw invalidToken();
    let opened = this.#tokens.open(info.securityToken, info.accessKeyId, this.#ring());
    if (!opened.ok && opened.reason === 'unknown-key') {
      // Another node may have rotated the ring since this one loaded it.
      opened = this.#tokens.open(info.securityToken, info.accessKeyId, await this.#reloadRing());
    }
    if (!opened.ok) throw invalidToken();
    if (now.getTime() >= opened.caller.session.expiresAt.getTime()) throw new AwsError('ExpiredToken', EXPIRED_TOKEN_MESSAGE);
    return { caller: opened.caller, secret: opened.caller.session.secretAccessKey };
  }

  async #longTerm(info: SignatureInfo): Promise<{ caller: Caller; secret: string }> {
    if (info.securityToken !== undefined) throw invalidToken();
    const key = await this.#store.getAccessKey(info.accessKeyId);
    if (!key || key.status !== 'Active') throw invalidToken();
    const secret = this.#openSecret(key.accessKeyId, key.secretCiphertext);
    if (key.userId === undefined) {
      return { secret, caller: { type: 'Root', accountId: key.accountId, arn: rootArn(this.#partition, key.accountId), userId: key.accountId, accessKeyId: key.accessKeyId } };
    }
    // Looked up on every request: a renamed user keeps its keys, and the key follows the unique ID.
    const user = await this.#store.getUserIdentity(key.accountId, key.userId);
    if (!user) throw invalidToken();
    const caller: Caller = {
      type: 'IAMUser',
      accountId: key.accountId,
      arn: user.arn,
      userId: key.userId,
      userName: user.userName,
      userUniqueId: key.userId,
      accessKeyId: key.accessKeyId,
    };
    return { caller, secret };
  }

  /** Opening a sealed secret costs an AES-GCM pass; it is done once per (key, ciphertext). */
  #openSecret(accessKeyId: string, sealed: string): string {
    const cached = this.#secretCache.get(accessKeyId);
    if (cached?.sealed === sealed) return cached.secret;
    const secret = this.#secrets.open(sealed, `access-key:${accessKeyId}`);
    this.#secretCache.set(accessKeyId, { sealed, secret });
    return secret;
  }


  /** AWS reports last use with coarse granularity; one write a minute per key keeps writes off the hot path. */
  #noteUse(accessKeyId: string, now: Date, info: SignatureInfo): void {
    const last = this.#lastUsedWritten.get(accessKeyId);
    if (last !== undefined && now.getTime() - last < LAST_USED_INTERVAL_MS) return;
    this.#lastUsedWritten.set(accessKeyId, now.getTime());
    this.#store.recordAccessKeyUse(accessKeyId, now, info.service, info.region).catch(() => undefined);
  }
}

function invalidToken(): AwsError {
  return new AwsError('InvalidClientTokenId', INVALID_CLIENT_TOKEN_MESSAGE);
}
