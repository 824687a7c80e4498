export { buildEvents, EVENT_VERSION } from './event.js';
export type { AuditInput, AuditOutcome, AuditRequest, BuildOptions, CloudTrailEvent, EventResource, SessionContext, UserIdentity } from './types.js';
export type { AuditStore, LookupAttributeKey, LookupCursor, LookupPage, LookupQuery, StoredEvent } from './audit-store.js';
export { LOOKUP_ATTRIBUTE_KEYS } from './audit-store.js';
export { SqliteAuditStore, type SqliteAuditStoreOptions } from './sqlite-audit-store.js';
export { AuditTrail, AuditWriteError, auditFailureError, openAuditTrail, type AuditStats, type AuditTrailOptions, type OpenAuditTrailOptions } from './trail.js';
export { JsonLinesSink, LogFileSink, logFileKey, type AuditSink, type LogFileSinkOptions } from './sinks.js';
export { formatTrace, traceAccessKey, type AccessKeyTrace, type TracedPrincipal, type TracedSession, type TraceOptions } from './trace.js';
