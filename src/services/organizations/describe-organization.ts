import type { JsonAction } from '../action.js';
import { organizationOf } from './shared.js';

export const describeOrganization: JsonAction = {
  name: 'DescribeOrganization',
  async run(_input, ctx) {
    const { org } = await organizationOf(ctx);
    await ctx.authorize({ action: 'organizations:DescribeOrganization', resource: '*' });
    return {
      Organization: {
        Id: org.id,
        Arn: org.arn,
        FeatureSet: org.featureSet,
        MasterAccountArn: `arn:${org.arn.split(':')[1]}:organizations::${org.managementAccountId}:account/${org.id}/${org.managementAccountId}`,
        MasterAccountId: org.managementAccountId,
        MasterAccountEmail: org.managementAccountEmail,
        // No policy types are enabled: SCPs are not modeled yet.
        AvailablePolicyTypes: [],
      },
    };
  },
};
