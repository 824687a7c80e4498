import type { Logger } from 'pino';
import type { Caller } from '../auth/principal.js';
import { Authenticator } from '../auth/authenticate.js';
import { checkSessionScope } from '../auth/session-scope.js';
import { wrongServiceFailure, type HttpRequestLike, type SignatureInfo } from '../auth/sigv4/index.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { newRequestId } from '../ids.js';
import { AwsError } from '../protocol/errors.js';
import { decodeJsonBody, encodeJson, jsonError } from '../protocol/json.js';
import { QueryInput, decodeForm, queryError, querySuccess } from '../protocol/query.js';
import type { ActionContext, JsonObject, JsonService, QueryService, RequestFacts, Service } from '../services/action.js';
import { Authorizer } from '../services/authorizer.js';
import type { Store } from '../store/store.js';
import { KeyRing } from '../tokens/key-ring.js';
import type { Metrics } from './metrics.js';
import { AuditWriteError, auditFailureError, type AuditTrail } from '../audit/trail.js';
import type { AuditOutcome } from '../audit/types.js';
import type { XmlObject } from '../protocol/xml.js';
import { RateLimiter } from './throttle.js';

export interface IncomingRequest extends HttpRequestLike {
  /** Lower-cased header names; repeated headers joined by ", " (Node's req.headers). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly sourceIp: string;
  readonly secure: boolean;
}

export interface OutgoingResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface AppOptions {
  readonly config: Config;
  readonly store: Store;
  readonly secrets: SecretBox;
  readonly clock: Clock;
  readonly services: readonly Service[];
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly auditTrail: AuditTrail;
}

const XML = 'text/xml';
const JSON_11 = 'application/x-amz-json-1.1';
const MISSING_AUTH_MESSAGE = 'Request is missing Authentication Token';
const RING_RELOAD_INTERVAL_MS = 1000;
const ROLE_USE_INTERVAL_MS = 60_000;

/** The request path of DESIGN.md: decode → authenticate → throttle → route → authorize → execute → encode. */
export class App {
  readonly config: Config;
  readonly store: Store;
  readonly secrets: SecretBox;
  readonly clock: Clock;
  readonly authorizer: Authorizer;
  readonly logger: Logger;
  readonly auditTrail: AuditTrail;
  readonly #authenticator: Authenticator;
  readonly #bySigningName: ReadonlyMap<string, Service>;
  readonly #queryByVersion: ReadonlyMap<string, QueryService>;
  readonly #jsonByPrefix: ReadonlyMap<string, JsonService>;
  readonly #stsLimiter: RateLimiter;
  readonly #metrics: Metrics | undefined;
  #ring: KeyRing;
  #ringLoadedAt = Date.now();
  readonly #roleUseWritten = new Map<string, number>();

  private constructor(options: AppOptions, ring: KeyRing) {
    this.config = options.config;
    this.store = options.store;
    this.secrets = options.secrets;
    this.clock = options.clock;
    this.logger = options.logger;
    this.auditTrail = options.auditTrail;
    this.#metrics = options.metrics;
    this.#ring = ring;
    this.authorizer = new Authorizer(options.store, () => this.#ring, { encodeDenials: options.config.encodeDenials });
    this.#authenticator = new Authenticator({
      store: options.store,
      secrets: options.secrets,
      partition: options.config.partition,
      ring: () => this.#ring,
      reloadRing: () => this.reloadKeyRing(),
    });
    this.#bySigningName = new Map(options.services.map((s) => [s.signingName, s]));
    this.#queryByVersion = new Map(options.services.filter((s): s is QueryService => s.protocol === 'query').map((s) => [s.version, s]));
    this.#jsonByPrefix = new Map(options.services.filter((s): s is JsonService => s.protocol === 'json').map((s) => [s.targetPrefix, s]));
    this.#stsLimiter = new RateLimiter(options.config.stsRateLimit);
  }

  static async create(options: AppOptions): Promise<App> {
    const ring = await KeyRing.load(options.store, options.secrets, options.clock.now());
    return new App(options, ring);
  }

  get keyRing(): KeyRing {
    return this.#ring;
  }

  /**
   * Picks up a ring rotated elsewhere (another node, or `open-sts rotate-session-keys`). At most
   * once a second, so tokens naming unknown keys cannot turn into a store read each.
   */
  async reloadKeyRing(): Promise<KeyRing> {
    const now = Date.now();
    if (now - this.#ringLoadedAt < RING_RELOAD_INTERVAL_MS) return this.#ring;
    this.#ringLoadedAt = now;
    this.#ring = await KeyRing.load(this.store, this.secrets, this.clock.now());
    return this.#ring;
  }

  async rotateKeyRing(): Promise<KeyRing> {
    this.#ring = await KeyRing.rotate(this.store, this.secrets, this.clock.now());
    return this.#ring;
  }

  async handle(request: IncomingRequest): Promise<OutgoingResponse> {
    const started = process.hrtime.bigint();
    const requestId = newRequestId();
    const now = this.clock.now();
    const target = header(request.headers, 'x-amz-target');
    const json = target !== undefined;
    let service: Service | undefined;
    let actionName = 'unknown';
    let response: OutgoingResponse;
    try {
      const signature = this.#authenticator.parse(request, now);
      const signedFor = signature ? this.#bySigningName.get(signature.service) : undefined;
      if (signedFor?.protocol === 'json' && !json) {
        // A JSON 1.1 service dispatches on X-Amz-Target alone (query-protocol.md §4): without it the
        // body is not decoded as a Query form, and the error is the JSON service's own.
        service = signedFor;
        throw new AwsError('UnknownOperationException', 'Missing X-Amz-Target header');
      }
      const decoded = json ? this.#decodeJson(request, target) : this.#decodeQuery(request, signature);
      service = signature ? this.#bySigningName.get(signature.service) : decoded.service;
      if (!service) {
        if (!signature) throw new AwsError('MissingAuthenticationToken', MISSING_AUTH_MESSAGE);
        // AWS names the service the request was meant for, known here from its protocol.
        const failure = wrongServiceFailure(decoded.service?.signingName ?? 'sts');
        throw new AwsError(failure.code, failure.message, { status: failure.status });
      }
      // A metrics label and log field: only the service's own action names, so that junk input
      // (an unknown Action of up to a megabyte, unsigned) cannot grow the label set without bound.
      if (service.actions.has(decoded.action)) actionName = decoded.action;
      response = await this.#dispatch(request, requestId, now, service, signature, decoded);
    } catch (error) {
      const awsError = this.#asAwsError(error, requestId);
      response = this.#errorResponse(awsError, requestId, service ?? (json ? undefined : this.#queryByVersion.get('2011-06-15')), json);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.#metrics?.observe(service?.signingName ?? 'unknown', actionName, response.status, seconds);
    if (response.status >= 500) this.logger.error({ requestId, action: actionName, status: response.status }, 'request failed');
    else if (this.logger.isLevelEnabled('debug')) this.logger.debug({ requestId, action: actionName, status: response.status, ms: seconds * 1000 }, 'request');
    return response;
  }

  async #dispatch(
    request: IncomingRequest,
    requestId: string,
    now: Date,
    service: Service,
    signature: SignatureInfo | undefined,
    decoded: Decoded,
  ): Promise<OutgoingResponse> {
    const action = service.actions.get(decoded.action);
    if (!action) {
      throw service.protocol === 'query'
        ? new AwsError('InvalidAction', `Could not find operation ${decoded.action} for version ${service.version}`)
        : new AwsError('UnknownOperationException', `Unknown operation ${decoded.action}`);
    }
    let caller: Caller | undefined;
    if (signature) {
      caller = (await this.#authenticator.authenticate(request, signature, now)).caller;
      checkSessionScope(caller, service.signingName, decoded.action);
    } else if (!('unsigned' in action && action.unsigned)) {
      throw new AwsError('MissingAuthenticationToken', MISSING_AUTH_MESSAGE);
    }
    if (service.signingName === 'sts' && !this.#stsLimiter.take(caller?.accountId ?? request.sourceIp, now.getTime())) {
      throw new AwsError('Throttling', 'Rate exceeded');
    }
    const facts: RequestFacts = {
      requestId,
      receivedAt: now,
      sourceIp: request.sourceIp,
      userAgent: header(request.headers, 'user-agent') ?? '',
      secureTransport: request.secure,
      region: signature?.region ?? this.config.region,
    };
    const ctx = this.#context(facts, caller);
    let response: OutgoingResponse;
    let result: XmlObject | JsonObject | undefined;
    try {
      if (service.protocol === 'query') {
        const input = new QueryInput(decoded.params ?? new Map(), { echoValues: service.echoValidationValues });
        const members = await service.actions.get(decoded.action)!.run(input, ctx);
        result = members;
        response = { status: 200, headers: responseHeaders(XML, requestId, now), body: querySuccess(decoded.action, service.namespace, members, requestId) };
      } else {
        const members = await service.actions.get(decoded.action)!.run(decoded.json ?? {}, ctx);
        result = members;
        response = { status: 200, headers: responseHeaders(JSON_11, requestId, now), body: encodeJson(members) };
      }
    } catch (error) {
      const awsError = this.#asAwsError(error, requestId);
      await this.#audit(service, decoded, requestId, caller, facts, ctx, { ok: false, error: awsError });
      throw awsError;
    }
    // Audit before respond (issue #6): the answer leaves only once its record is stored.
    await this.#audit(service, decoded, requestId, caller, facts, ctx, { ok: true, result });
    return response;
  }

  async #audit(service: Service, decoded: Decoded, requestId: string, caller: Caller | undefined, facts: RequestFacts, ctx: ActionContext, outcome: AuditOutcome): Promise<void> {
    try {
      await this.auditTrail.record({
        service,
        action: decoded.action,
        requestId,
        eventTime: this.clock.now(),
        caller,
        sourceIp: facts.sourceIp,
        userAgent: facts.userAgent,
        region: facts.region,
        request: service.protocol === 'query' ? { query: decoded.params ?? new Map() } : { json: decoded.json ?? {} },
        outcome,
        notes: ctx.audit,
      });
    } catch (error) {
      if (error instanceof AuditWriteError) throw auditFailureError(service.signingName);
      throw error;
    }
  }

  #context(facts: RequestFacts, caller: Caller | undefined): ActionContext {
    const authorizer = this.authorizer;
    return {
      request: facts,
      caller,
      config: this.config,
      store: this.store,
      secrets: this.secrets,
      clock: this.clock,
      audit: { resources: [], alsoRecordIn: [] },
      keyRing: () => this.#ring,
      noteRoleUse: (roleId, at, region) => this.#noteRoleUse(roleId, at, region),
      authorize: async (query) => {
        if (!caller) throw new AwsError('MissingAuthenticationToken', MISSING_AUTH_MESSAGE);
        await authorizer.authorize(caller, facts, query);
      },
      decide: async (query, extra) => {
        if (!caller) throw new AwsError('MissingAuthenticationToken', MISSING_AUTH_MESSAGE);
        return authorizer.decide(caller, facts, query, extra);
      },
      compilePolicy: (document, kind, label) => authorizer.compile(document, kind, label),
      denial: (message, request, policies) => {
        if (!caller) throw new AwsError('MissingAuthenticationToken', MISSING_AUTH_MESSAGE);
        return authorizer.denial(message, caller, request, policies);
      },
      requireCaller: () => {
        if (!caller) throw new AwsError('MissingAuthenticationToken', MISSING_AUTH_MESSAGE);
        return caller;
      },
    };
  }

  #noteRoleUse(roleId: string, at: Date, region: string): void {
    const last = this.#roleUseWritten.get(roleId);
    if (last !== undefined && at.getTime() - last < ROLE_USE_INTERVAL_MS && at.getTime() >= last) return;
    if (this.#roleUseWritten.size >= 100_000) this.#roleUseWritten.clear();
    this.#roleUseWritten.set(roleId, at.getTime());
    this.store.recordRoleUse(roleId, at, region).catch((error: unknown) => this.logger.warn({ err: String(error) }, 'recording role use failed'));
  }

  #decodeQuery(request: IncomingRequest, signature: SignatureInfo | undefined): Decoded {
    const queryAt = request.rawUrl.indexOf('?');
    const params = decodeForm(queryAt < 0 ? '' : request.rawUrl.slice(queryAt + 1));
    if (request.method === 'POST') {
      const type = header(request.headers, 'content-type') ?? '';
      if (request.body.length > 0 && !type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
        throw new AwsError('InvalidParameterValue', `Unsupported content type: ${type.slice(0, 100)}`);
      }
      // query-protocol.md §1: the body wins over the query string.
      decodeForm(Buffer.from(request.body).toString('utf8'), params);
    } else if (request.method !== 'GET') {
      throw new AwsError('InvalidAction', `Unsupported HTTP method ${request.method.slice(0, 16)}`);
    }
    for (const key of params.keys()) if (key.startsWith('X-Amz-')) params.delete(key);
    const action = params.get('Action');
    if (!action) throw new AwsError('MissingAction', 'Missing Action');
    const version = params.get('Version');
    const signed = signature ? this.#bySigningName.get(signature.service) : undefined;
    if (signed && signed.protocol === 'query' && version !== signed.version) {
      throw new AwsError('InvalidAction', `Could not find operation ${action} for version ${version ?? 'NO_VERSION_SPECIFIED'}`);
    }
    return { action, params, service: version ? this.#queryByVersion.get(version) : undefined };
  }

  #decodeJson(request: IncomingRequest, target: string): Decoded {
    const dot = target.lastIndexOf('.');
    const prefix = dot < 0 ? '' : target.slice(0, dot);
    const action = dot < 0 ? target : target.slice(dot + 1);
    const service = this.#jsonByPrefix.get(prefix);
    const body = decodeJsonBody(Buffer.from(request.body).toString('utf8'));
    if (!body.ok) throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
    return { action, json: body.value, service };
  }

  /** The protocol's error envelope for a request refused before decoding (e.g. an oversized body). */
  reject(error: AwsError, json: boolean): OutgoingResponse {
    const requestId = newRequestId();
    return this.#errorResponse(error, requestId, json ? undefined : this.#queryByVersion.get('2011-06-15'), json);
  }

  #asAwsError(error: unknown, requestId: string): AwsError {
    if (error instanceof AwsError) return error;
    this.logger.error({ requestId, err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) }, 'internal error');
    return new AwsError('InternalFailure', 'An internal error occurred. Try again.');
  }

  #errorResponse(error: AwsError, requestId: string, service: Service | undefined, json: boolean): OutgoingResponse {
    const now = this.clock.now();
    if (json || service?.protocol === 'json') {
      const jsonForm = asJsonError(error);
      const headers = responseHeaders(JSON_11, requestId, now);
      headers['x-amzn-ErrorType'] = jsonForm.code;
      return { status: jsonForm.status, headers, body: jsonError(jsonForm) };
    }
    const namespace = service?.protocol === 'query' ? service.namespace : 'https://sts.amazonaws.com/doc/2011-06-15/';
    return { status: error.status, headers: responseHeaders(XML, requestId, now), body: queryError(error, namespace, requestId) };
  }
}

interface Decoded {
  readonly action: string;
  readonly params?: Map<string, string>;
  readonly json?: JsonObject;
  readonly service: Service | undefined;
}

/** JSON 1.1 services name the shared denials with an Exception suffix (query-protocol.md §4). */
function asJsonError(error: AwsError): AwsError {
  switch (error.code) {
    case 'AccessDenied':
      return new AwsError('AccessDeniedException', error.message, { status: error.status });
    case 'Throttling':
      return new AwsError('TooManyRequestsException', error.message, { status: error.status });
    default:
      return error;
  }
}

function header(headers: IncomingRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function responseHeaders(contentType: string, requestId: string, now: Date): Record<string, string> {
  return { 'Content-Type': contentType, 'x-amzn-RequestId': requestId, Date: httpDate(now) };
}

let dateSecond = Number.NaN;
let dateText = '';

/** The Date header changes once a second; so does its text. */
function httpDate(now: Date): string {
  const second = Math.floor(now.getTime() / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = now.toUTCString();
  }
  return dateText;
}
