/**
 * Where a workload's requests come from. Most workloads replay a pool of requests signed up front
 * (a SigV4 signature stays valid for 15 minutes and the server keeps no nonces, as AWS); the IAM
 * write workload signs in the load generator, because each CreatePolicy needs a fresh name and
 * its DeletePolicy must follow it on the same connection.
 */
import { formBody, signQuery, type BenchRequest, type SigningCredentials } from './sigv4.js';

export type RequestSource =
  | { readonly kind: 'pool'; readonly requests: readonly BenchRequest[] }
  | {
      readonly kind: 'policy-pairs';
      readonly host: string;
      readonly region: string;
      readonly accountId: string;
      readonly credentials: SigningCredentials;
      readonly document: string;
    };

export const POLICY_PAIR_PATH = '/bench-tmp/';

/** Signs CreatePolicy / DeletePolicy for policy `name` (fresh names per pair: `p<pid>-<n>`). */
export class PolicyPairSigner {
  readonly #source: Extract<RequestSource, { kind: 'policy-pairs' }>;
  readonly #prefix: string;
  #next = 0;

  constructor(source: Extract<RequestSource, { kind: 'policy-pairs' }>) {
    this.#source = source;
    this.#prefix = `p${process.pid}x${Date.now().toString(36)}`;
  }

  nextName(): string {
    return `${this.#prefix}-${this.#next++}`;
  }

  create(name: string): BenchRequest {
    const s = this.#source;
    const body = formBody({ Action: 'CreatePolicy', Version: '2010-05-08', PolicyName: name, Path: POLICY_PAIR_PATH, PolicyDocument: s.document });
    return withAgent(signQuery(s.host, 'iam', s.region, s.credentials, body));
  }

  delete(name: string): BenchRequest {
    const s = this.#source;
    const arn = `arn:aws:iam::${s.accountId}:policy${POLICY_PAIR_PATH}${name}`;
    return withAgent(signQuery(s.host, 'iam', s.region, s.credentials, formBody({ Action: 'DeletePolicy', Version: '2010-05-08', PolicyArn: arn })));
  }
}

/** SDKs always send a User-Agent (it becomes aws:UserAgent); it is not signed. */
export function withAgent(request: BenchRequest): BenchRequest {
  return { ...request, headers: { ...request.headers, 'user-agent': 'open-sts-bench/1 aws-sdk-js/3' } };
}

/** The bytes of an HTTP/1.1 keep-alive request. */
export function requestBytes(request: BenchRequest): Buffer {
  const body = Buffer.from(request.body, 'utf8');
  let head = `${request.method} ${request.path} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(request.headers)) head += `${name}: ${value}\r\n`;
  head += `content-length: ${body.length}\r\nconnection: keep-alive\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}
