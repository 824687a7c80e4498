import type { Caller } from '../auth/principal.js';
import type { AwsError } from '../protocol/errors.js';
import type { QueryParams } from '../protocol/query.js';
import type { XmlObject } from '../protocol/xml.js';
import type { AuditNotes, JsonObject } from '../services/action.js';

/** A CloudTrail record (cloudtrail.md §1.1). Fields are declared in the order AWS writes them. */
export interface CloudTrailEvent {
  readonly eventVersion: string;
  readonly userIdentity: UserIdentity;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly sourceIPAddress: string;
  readonly userAgent?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly requestParameters: Record<string, unknown> | null;
  readonly responseElements: Record<string, unknown> | null;
  readonly additionalEventData?: Record<string, unknown>;
  readonly requestID: string;
  readonly eventID: string;
  readonly readOnly: boolean;
  readonly resources?: readonly EventResource[];
  readonly eventType: 'AwsApiCall';
  readonly managementEvent: true;
  readonly recipientAccountId: string;
  readonly sharedEventID?: string;
  readonly eventCategory: 'Management';
  readonly tlsDetails?: TlsDetails;
}

/** `resources[]` entries; AWS spells the ARN key in upper case (cloudtrail.md §1.1, observed). */
export interface EventResource {
  readonly accountId: string;
  readonly type: string;
  readonly ARN: string;
}

export interface TlsDetails {
  readonly tlsVersion: string;
  readonly cipherSuite: string;
  readonly clientProvidedHostHeader: string;
}

export type UserIdentityType = 'Root' | 'IAMUser' | 'AssumedRole' | 'FederatedUser' | 'AWSAccount' | 'WebIdentityUser' | 'SAMLUser';

/** cloudtrail.md §2.1–2.2; members are in AWS's order, optional ones left out when absent. */
export interface UserIdentity {
  readonly type: UserIdentityType;
  readonly principalId: string;
  readonly arn?: string;
  readonly accountId?: string;
  readonly accessKeyId?: string;
  readonly userName?: string;
  readonly sessionContext?: SessionContext;
  readonly identityProvider?: string;
}

/** cloudtrail.md §2.3. `sessionIssuer` is `{}` for GetSessionToken credentials. */
export interface SessionContext {
  readonly sessionIssuer: SessionIssuer | Record<string, never>;
  readonly webIdFederationData: { readonly federatedProvider: string; readonly attributes: Record<string, never> } | Record<string, never>;
  readonly attributes: { readonly creationDate: string; readonly mfaAuthenticated: 'true' | 'false' };
  readonly sourceIdentity?: string;
}

export interface SessionIssuer {
  readonly type: 'Role' | 'IAMUser' | 'Root';
  readonly principalId: string;
  readonly arn: string;
  readonly accountId: string;
  readonly userName?: string;
}

/** The decoded request members, as the protocol layer produced them. */
export type AuditRequest = { readonly query: QueryParams } | { readonly json: JsonObject };

export type AuditOutcome =
  | { readonly ok: true; readonly result: XmlObject | JsonObject | undefined }
  | { readonly ok: false; readonly error: AwsError };

/**
 * Everything the audit stage needs about one API call that got past authentication
 * (cloudtrail.md R1). The pipeline fills it after the action ran, before encoding.
 */
export interface AuditInput {
  readonly service: { readonly signingName: string; readonly eventSource: string };
  readonly action: string;
  /** The RequestId returned to the client. */
  readonly requestId: string;
  /** When the request completed. */
  readonly eventTime: Date;
  /** Undefined for unsigned AssumeRoleWithWebIdentity/SAML calls. */
  readonly caller: Caller | undefined;
  /** The key that signed the request; defaults to `caller.accessKeyId`. */
  readonly accessKeyId?: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  /** The SigV4 credential-scope region, or the configured region for unsigned calls. */
  readonly region: string;
  readonly request: AuditRequest;
  readonly outcome: AuditOutcome;
  readonly notes: AuditNotes;
  /** Only when open-sts itself terminated TLS. */
  readonly tls?: TlsDetails;
}

export interface BuildOptions {
  readonly partition?: string;
  /** cloudtrail.md §3.6: AWS writes `credentials.sessionToken`; open-sts leaves it out unless asked. */
  readonly includeSessionToken?: boolean;
  /** Fresh event IDs (UUID v4); injectable for tests. */
  readonly newEventId?: () => string;
}
