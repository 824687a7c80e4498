import type { AuditStore } from '../../audit/audit-store.js';
import { actionMap, type JsonService } from '../action.js';
import { lookupEventsAction, type LookupEventsOptions } from './lookup-events.js';

export type CloudTrailServiceOptions = LookupEventsOptions;

/** CloudTrail's JSON 1.1 API (cloudtrail.md §4.1), reading the audit trail's store. */
export function createCloudTrailService(store: AuditStore, options: CloudTrailServiceOptions = {}): JsonService {
  return {
    protocol: 'json',
    signingName: 'cloudtrail',
    eventSource: 'cloudtrail.amazonaws.com',
    targetPrefix: 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101',
    actions: actionMap([lookupEventsAction(store, options)]),
  };
}
