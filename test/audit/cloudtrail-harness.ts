import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { SqliteAuditStore } from '../../src/audit/sqlite-audit-store.js';
import { AuditTrail, AuditWriteError, auditFailureError } from '../../src/audit/trail.js';
import type { AuditInput } from '../../src/audit/types.js';
import type { Caller } from '../../src/auth/principal.js';
import { systemClock, type Clock } from '../../src/clock.js';
import { SecretBox } from '../../src/crypto/secret-box.js';
import { newRequestId } from '../../src/ids.js';
import { AwsError } from '../../src/protocol/errors.js';
import { decodeJsonBody, encodeJson, jsonError } from '../../src/protocol/json.js';
import type { ActionContext, AuditNotes, AuthorizationQuery, JsonObject, JsonService } from '../../src/services/action.js';
import { createCloudTrailService, type CloudTrailServiceOptions } from '../../src/services/cloudtrail/index.js';

export interface HarnessPrincipal {
  readonly caller: Caller;
  readonly secretAccessKey: string;
  /** Actions the policy engine would allow; anything else is denied with AWS's text. */
  readonly allow: readonly string[];
}

export interface CloudTrailHarness {
  readonly endpoint: string;
  readonly dir: string;
  readonly store: SqliteAuditStore;
  readonly trail: AuditTrail;
  client(principal: HarnessPrincipal, region?: string): CloudTrailClient;
  close(): Promise<void>;
}

/**
 * CloudTrail's JSON 1.1 endpoint over real HTTP, for the real SDK and the AWS CLI: decode →
 * identify the caller by the access key in the SigV4 scope (signatures are not verified
 * here; the server's own tests cover SigV4) → run the action → record it through the
 * AuditTrail before answering (audit-before-respond) → encode. It stands in for the server's
 * pipeline until the audit stage is wired there, and shows the wiring the pipeline needs.
 */
export async function startCloudTrailHarness(options: { principals: readonly HarnessPrincipal[]; service?: CloudTrailServiceOptions; clock?: Clock }): Promise<CloudTrailHarness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'open-sts-ct-'));
  const clock = options.clock ?? systemClock;
  const store = new SqliteAuditStore(path.join(dir, 'audit.db'));
  const trail = new AuditTrail({ store, clock, sweepIntervalMs: 0 });
  const service: JsonService = createCloudTrailService(store, options.service ?? { rateLimit: 0 });
  const secrets = new SecretBox(randomBytes(32));
  const byKey = new Map(options.principals.map((p) => [p.caller.accessKeyId, p]));

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const requestId = newRequestId();
        const headers: Record<string, string> = { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': requestId };
        let status = 200;
        let body: string;
        try {
          const target = String(req.headers['x-amz-target'] ?? '');
          const actionName = target.slice(target.lastIndexOf('.') + 1);
          const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(String(req.headers['authorization'] ?? ''));
          const principal = scope ? byKey.get(scope[1]!) : undefined;
          if (!scope || !principal) throw new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.');
          const action = service.actions.get(actionName);
          if (!action) throw new AwsError('UnknownOperationException', `Unknown operation ${actionName}`);
          const decoded = decodeJsonBody(Buffer.concat(chunks).toString('utf8'));
          if (!decoded.ok) throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
          const caller = principal.caller;
          const region = scope[2]!;
          const notes: AuditNotes = { resources: [], alsoRecordIn: [] };
          const ctx: ActionContext = {
            request: { requestId, receivedAt: clock.now(), sourceIp: req.socket.remoteAddress ?? '', userAgent: String(req.headers['user-agent'] ?? ''), secureTransport: false, region },
            caller,
            config: {} as ActionContext['config'],
            store: {} as ActionContext['store'],
            secrets,
            clock,
            audit: notes,
            keyRing: () => {
              throw new Error('no key ring in the harness');
            },
            requireCaller: () => caller,
            authorize: async (query: AuthorizationQuery) => {
              if (!principal.allow.includes(query.action) && caller.type !== 'Root') {
                // The policy engine's text, with the encoded message the server appends by default.
                throw new AwsError(
                  'AccessDenied',
                  `User: ${caller.arn} is not authorized to perform: ${query.action} on resource: ${query.resource} because no identity-based policy allows the ${query.action} action Encoded authorization failure message: c2VhbGVk`,
                );
              }
            },
          } as unknown as ActionContext;
          const record = (outcome: AuditInput['outcome']) =>
            trail.record({
              service,
              action: actionName,
              requestId,
              eventTime: clock.now(),
              caller,
              sourceIp: ctx.request.sourceIp,
              userAgent: ctx.request.userAgent,
              region,
              request: { json: decoded.value },
              outcome,
              notes,
            });
          let output: JsonObject;
          try {
            output = await action.run(decoded.value, ctx);
          } catch (error) {
            if (error instanceof AwsError) await record({ ok: false, error });
            throw error;
          }
          await record({ ok: true, result: output });
          body = encodeJson(output);
        } catch (error) {
          const awsError = error instanceof AuditWriteError ? auditFailureError('cloudtrail') : error instanceof AwsError ? error : new AwsError('InternalFailure', String(error));
          status = awsError.status;
          headers['x-amzn-ErrorType'] = awsError.code;
          body = jsonError(awsError);
        }
        res.writeHead(status, headers);
        res.end(body);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    dir,
    store,
    trail,
    client: (principal, region = 'us-east-1') =>
      new CloudTrailClient({ endpoint, region, maxAttempts: 1, credentials: { accessKeyId: principal.caller.accessKeyId, secretAccessKey: principal.secretAccessKey } }),
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await trail.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
