import { actionMap, type QueryService } from '../action.js';
import { ACCESS_KEY_ACTIONS } from './access-keys.js';
import { ATTACHMENT_ACTIONS } from './attachments.js';
import { BOUNDARY_ACTIONS } from './boundaries.js';
import { getAccountAuthorizationDetails } from './authorization-details.js';
import { GROUP_ACTIONS } from './groups.js';
import { INLINE_POLICY_ACTIONS } from './inline-policies.js';
import { MANAGED_POLICY_ACTIONS } from './managed-policies.js';
import { MFA_DEVICE_ACTIONS } from './mfa-devices.js';
import { ROLE_ACTIONS } from './roles.js';
import { SIMULATE_ACTIONS } from './simulate.js';
import { TAG_ACTIONS } from './tags.js';
import { USER_ACTIONS } from './users.js';

/** IAM over the Query protocol (query-protocol.md §5–§6). */
export const iamService: QueryService = {
  protocol: 'query',
  signingName: 'iam',
  eventSource: 'iam.amazonaws.com',
  version: '2010-05-08',
  namespace: 'https://iam.amazonaws.com/doc/2010-05-08/',
  echoValidationValues: false,
  actions: actionMap([
    ...USER_ACTIONS,
    ...ACCESS_KEY_ACTIONS,
    ...GROUP_ACTIONS,
    ...ROLE_ACTIONS,
    ...BOUNDARY_ACTIONS,
    ...INLINE_POLICY_ACTIONS,
    ...MANAGED_POLICY_ACTIONS,
    ...ATTACHMENT_ACTIONS,
    ...TAG_ACTIONS,
    getAccountAuthorizationDetails,
    ...SIMULATE_ACTIONS,
    ...MFA_DEVICE_ACTIONS,
  ]),
};
