import { actionMap, type QueryService } from '../action.js';
import { assumeRole } from './assume-role.js';
import { decodeAuthorizationMessage } from './decode-authorization-message.js';
import { getAccessKeyInfo } from './get-access-key-info.js';
import { getCallerIdentity } from './get-caller-identity.js';
import { getFederationToken } from './get-federation-token.js';
import { getSessionToken } from './get-session-token.js';

export const stsService: QueryService = {
  protocol: 'query',
  signingName: 'sts',
  eventSource: 'sts.amazonaws.com',
  version: '2011-06-15',
  namespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
  echoValidationValues: true,
  actions: actionMap([assumeRole, getCallerIdentity, getAccessKeyInfo, getSessionToken, getFederationToken, decodeAuthorizationMessage]),
};
