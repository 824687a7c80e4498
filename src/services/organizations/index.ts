import { actionMap, type JsonService } from '../action.js';
import { createAccount, describeCreateAccountStatus } from './create-account.js';
import { describeAccount, listAccounts } from './accounts.js';
import { describeOrganization } from './describe-organization.js';

export const organizationsService: JsonService = {
  protocol: 'json',
  signingName: 'organizations',
  eventSource: 'organizations.amazonaws.com',
  targetPrefix: 'AWSOrganizationsV20161128',
  actions: actionMap([describeOrganization, createAccount, describeCreateAccountStatus, listAccounts, describeAccount]),
};
