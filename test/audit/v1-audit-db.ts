import Database from 'better-sqlite3';
import { lookupFields } from '../../src/audit/lookup-fields.js';
import type { CloudTrailEvent } from '../../src/audit/types.js';

/**
 * An audit.db as open-sts wrote it at schema version 1 (text-keyed indexes), byte for byte the
 * schema and rows of that version's SqliteAuditStore, to test the upgrade to version 2.
 */
const V1_SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_events (
  seq INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  event_time INTEGER NOT NULL,
  account_id TEXT NOT NULL,
  region TEXT NOT NULL,
  event_name TEXT NOT NULL,
  event_source TEXT NOT NULL,
  read_only INTEGER NOT NULL,
  username TEXT,
  access_key_id TEXT,
  issued_access_key_id TEXT,
  resources TEXT NOT NULL,
  lookup_keys TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_events_time ON audit_events (event_time);
CREATE INDEX IF NOT EXISTS audit_events_issued ON audit_events (issued_access_key_id) WHERE issued_access_key_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS audit_events_signer ON audit_events (access_key_id, event_time) WHERE access_key_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS audit_lookup (
  account_id TEXT NOT NULL,
  region TEXT NOT NULL,
  attr TEXT NOT NULL,
  value TEXT NOT NULL,
  event_time INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  PRIMARY KEY (account_id, region, attr, value, event_time, event_id)
) WITHOUT ROWID;
`;

export function writeV1AuditDb(file: string, events: readonly CloudTrailEvent[]): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(V1_SCHEMA);
  db.pragma('user_version = 1');
  const insertEvent = db.prepare(
    `INSERT INTO audit_events (event_id, event_time, account_id, region, event_name, event_source, read_only, username, access_key_id, issued_access_key_id, resources, lookup_keys, record)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertLookup = db.prepare('INSERT INTO audit_lookup (account_id, region, attr, value, event_time, event_id) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
  db.transaction(() => {
    for (const event of events) {
      const fields = lookupFields(event);
      const eventTime = Math.floor(Date.parse(event.eventTime) / 1000);
      const keys = v1LookupKeys(event, fields);
      insertEvent.run(
        event.eventID,
        eventTime,
        event.recipientAccountId,
        event.awsRegion,
        event.eventName,
        event.eventSource,
        event.readOnly ? 1 : 0,
        fields.username ?? null,
        fields.accessKeyId ?? null,
        fields.issuedAccessKeyId ?? null,
        JSON.stringify(fields.resources),
        JSON.stringify(keys),
        JSON.stringify(event),
      );
      for (const [attr, value] of keys) insertLookup.run(event.recipientAccountId, event.awsRegion, attr, value, eventTime, event.eventID);
    }
  })();
  db.close();
}

function v1LookupKeys(event: CloudTrailEvent, fields: ReturnType<typeof lookupFields>): Array<readonly [string, string]> {
  const keys = new Map<string, readonly [string, string]>();
  const add = (attr: string, value: string) => keys.set(`${attr}\u0000${value}`, [attr, value]);
  add('*', '');
  add('EventName', event.eventName);
  add('EventSource', event.eventSource);
  add('ReadOnly', event.readOnly ? 'true' : 'false');
  if (fields.username !== undefined) add('Username', fields.username);
  if (fields.accessKeyId !== undefined) add('AccessKeyId', fields.accessKeyId);
  for (const resource of fields.resources) {
    add('ResourceType', resource.ResourceType);
    add('ResourceName', resource.ResourceName);
  }
  return [...keys.values()];
}
