import { explain, parsePolicy, type AuthorizationRequest, type CompiledPolicy, type MatchedStatement, type PolicyKind, type PolicySet } from '../../policy/index.js';
import { AwsError } from '../../protocol/errors.js';
import type { QueryInput } from '../../protocol/query.js';
import type { XmlObject } from '../../protocol/xml.js';
import type { PolicyDocumentRef, PrincipalPolicies } from '../../store/types.js';
import type { ActionContext, QueryAction } from '../action.js';
import { RULES, iamCaller, pageMembers, positionPage, readMarker, readMaxItems } from './common.js';

/**
 * IAM policy simulation (query-protocol.md §6.1–§6.2) on the same engine the server authorizes
 * with: one EvaluationResult per action and resource, the deciding statements with their source
 * positions, and the context keys the matching statements read but the request lacked.
 */

const CONTEXT_TYPES = ['string', 'stringList', 'numeric', 'numericList', 'boolean', 'booleanList', 'ip', 'ipList', 'binary', 'binaryList', 'date', 'dateList'];

interface SimulationInput {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly policyInputs: readonly string[];
  readonly boundaryInputs: readonly string[] | undefined;
  readonly resourcePolicy: string | undefined;
  readonly resourceOwner: string | undefined;
  readonly callerArn: string | undefined;
  readonly context: Record<string, string | readonly string[]>;
  readonly marker: string | undefined;
  readonly maxItems: number | undefined;
}

function readDocuments(input: QueryInput, name: string): string[] | undefined {
  const list = input.list(name);
  list?.forEach((doc, i) => input.checkString(name, `${name[0]!.toLowerCase()}${name.slice(1)}.${i + 1}.member`, doc, RULES.policyDocument));
  return list;
}

function readSimulation(input: QueryInput, customPolicy: boolean): SimulationInput {
  const policyInputs = readDocuments(input, 'PolicyInputList');
  if (customPolicy && policyInputs === undefined) input.violation('policyInputList', 'Member must not be null');
  const boundaryInputs = readDocuments(input, 'PermissionsBoundaryPolicyInputList');
  const actions = input.list('ActionNames');
  if (actions === undefined) input.violation('actionNames', 'Member must not be null');
  actions?.forEach((a, i) => input.checkString('ActionNames', `actionNames.${i + 1}.member`, a, { min: 3, max: 128 }));
  const resources = input.list('ResourceArns');
  resources?.forEach((r, i) => input.checkString('ResourceArns', `resourceArns.${i + 1}.member`, r, { min: 1, max: 2048 }));
  const resourcePolicy = input.string('ResourcePolicy', { ...RULES.policyDocument, required: false });
  const resourceOwner = input.string('ResourceOwner', { min: 1, max: 2048 });
  const callerArn = input.string('CallerArn', { min: 1, max: 2048 });
  input.string('ResourceHandlingOption', { min: 1, max: 64 });
  const marker = readMarker(input);
  const maxItems = readMaxItems(input);
  const context = readContextEntries(input);
  input.done();
  return {
    actions: actions ?? [],
    resources: resources && resources.length > 0 ? resources : ['*'],
    policyInputs: policyInputs ?? [],
    boundaryInputs,
    resourcePolicy,
    resourceOwner,
    callerArn,
    context,
    marker,
    maxItems,
  };
}

/** `ContextEntries.member.N.{ContextKeyName, ContextKeyValues.member.M, ContextKeyType}`. */
function readContextEntries(input: QueryInput): Record<string, string | readonly string[]> {
  const context: Record<string, string | readonly string[]> = {};
  for (let n = 1; ; n++) {
    const prefix = `ContextEntries.member.${n}`;
    const name = input.params.get(`${prefix}.ContextKeyName`);
    const type = input.params.get(`${prefix}.ContextKeyType`);
    const values: string[] = [];
    for (let m = 1; ; m++) {
      const value = input.params.get(`${prefix}.ContextKeyValues.member.${m}`);
      if (value === undefined) break;
      values.push(value);
    }
    if (name === undefined && type === undefined && values.length === 0) break;
    const key = input.checkString('ContextKeyName', `contextEntries.${n}.member.contextKeyName`, name, { min: 5, max: 256 });
    if (type !== undefined && !CONTEXT_TYPES.includes(type)) input.violation(`contextEntries.${n}.member.contextKeyType`, 'Member must satisfy enum value set');
    if (key === undefined) continue;
    context[key] = type !== undefined && type.endsWith('List') ? values : values.length === 1 ? values[0]! : values;
  }
  return context;
}

function compileInputs(documents: readonly string[], kind: PolicyKind, listName: string): CompiledPolicy[] {
  return documents.map((document, i) => {
    const id = `${listName}.${i + 1}`;
    const parsed = parsePolicy(document, kind, { label: { id, name: id, layer: kind } });
    if (!parsed.ok) throw new AwsError('MalformedPolicyDocument', parsed.error.message);
    return parsed.policy;
  });
}

function compileStored(ctx: ActionContext, ref: PolicyDocumentRef, kind: 'identity' | 'boundary'): CompiledPolicy {
  const label = { id: ref.name, name: ref.name, layer: kind, ...(ref.versionId ? { version: ref.versionId } : {}) };
  const parsed = ctx.compilePolicy(ref.document, kind, label);
  if (!parsed.ok) throw new AwsError('PolicyEvaluation', `Stored policy ${ref.name} cannot be evaluated.`);
  return parsed.policy;
}

function decisionName(outcome: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny'): string {
  return outcome === 'Allow' ? 'allowed' : outcome === 'ExplicitDeny' ? 'explicitDeny' : 'implicitDeny';
}

/** Customer and AWS managed policies alike report `IAM Policy` (recorded), resource policies `resource`. */
function matchedStatements(matched: readonly MatchedStatement[]): XmlObject[] {
  return matched
    .filter((m) => m.layer !== 'boundary')
    .map((m) => ({
      SourcePolicyId: m.policy.id,
      SourcePolicyType: m.layer === 'resource' ? 'resource' : 'IAM Policy',
      StartPosition: m.start ? { Line: m.start.line, Column: m.start.column } : undefined,
      EndPosition: m.end ? { Line: m.end.line, Column: m.end.column } : undefined,
    }));
}

interface Principal {
  readonly arn: string;
  readonly principalId?: string;
  readonly policies: PrincipalPolicies | undefined;
}

async function simulate(ctx: ActionContext, sim: SimulationInput, principal: Principal): Promise<XmlObject> {
  const identity = [
    ...compileInputs(sim.policyInputs, 'identity', 'PolicyInputList'),
    ...(principal.policies?.identity ?? []).map((ref) => compileStored(ctx, ref, 'identity')),
  ];
  const boundary =
    sim.boundaryInputs !== undefined
      ? compileInputs(sim.boundaryInputs, 'boundary', 'PermissionsBoundaryPolicyInputList')
      : principal.policies?.boundary
        ? [compileStored(ctx, principal.policies.boundary, 'boundary')]
        : [];
  const resource = sim.resourcePolicy !== undefined ? compileInputs([sim.resourcePolicy], 'resource', 'ResourcePolicy') : [];
  const policies: PolicySet = { identity, boundary, resource };
  const resourceAccount = sim.resourceOwner === undefined ? undefined : /(\d{12})/.exec(sim.resourceOwner)?.[1];

  const perAction = sim.resources.length;
  const page = positionPage(sim.actions.length * perAction, sim.marker, sim.maxItems);
  const results: XmlObject[] = [];
  for (let i = page.start; i < page.end; i++) {
    const action = sim.actions[Math.floor(i / perAction)]!;
    const resourceArn = sim.resources[i % perAction]!;
    const request: AuthorizationRequest = {
      principal: sim.callerArn ?? principal.arn,
      action,
      resource: resourceArn,
      context: sim.context,
      ...(resourceAccount !== undefined ? { resourceAccount } : {}),
      ...(principal.principalId !== undefined ? { principalId: principal.principalId } : {}),
    };
    const explanation = explain(request, policies);
    const decision = decisionName(explanation.decision.outcome);
    const matched = matchedStatements(explanation.decision.matched);
    const missing = [...explanation.missingContextKeys];
    const boundaryLayer = explanation.layers.find((l) => l.layer === 'boundary');
    results.push({
      EvalActionName: action,
      EvalResourceName: resourceArn,
      EvalDecision: decision,
      MatchedStatements: matched,
      MissingContextValues: missing,
      OrganizationsDecisionDetail: { AllowedByOrganizations: true },
      PermissionsBoundaryDecisionDetail: boundary.length > 0 ? { AllowedByPermissionsBoundary: boundaryLayer?.allows ?? false } : undefined,
      EvalDecisionDetails: {},
      ResourceSpecificResults: [
        { EvalResourceName: resourceArn, EvalResourceDecision: decision, MatchedStatements: matched, MissingContextValues: missing },
      ],
    });
  }
  return pageMembers('EvaluationResults', { items: results, isTruncated: page.isTruncated, ...(page.marker !== undefined ? { marker: page.marker } : {}) });
}

const SOURCE_ARN = /^arn:([^:]+):iam::(\d{12}):(user|group|role)(\/.*)$/;

export const simulatePrincipalPolicy: QueryAction = {
  name: 'SimulatePrincipalPolicy',
  async run(input, ctx) {
    const sourceArn = input.string('PolicySourceArn', RULES.arn);
    const sim = readSimulation(input, false);
    const who = iamCaller(ctx);
    await ctx.authorize({ action: 'iam:SimulatePrincipalPolicy', resource: sourceArn });
    const match = SOURCE_ARN.exec(sourceArn);
    if (!match || match[1] !== who.partition || match[2] !== who.accountId) throw new AwsError('InvalidInput', `Invalid PolicySourceArn: ${sourceArn}`);
    const kind = match[3] as 'user' | 'group' | 'role';
    const name = match[4]!.slice(match[4]!.lastIndexOf('/') + 1);
    const entity = kind === 'user' ? await ctx.store.getUser(who.accountId, name) : kind === 'group' ? await ctx.store.getGroup(who.accountId, name) : await ctx.store.getRole(who.accountId, name);
    if (!entity || entity.arn !== sourceArn) throw new AwsError('NoSuchEntity', `The ${kind} with name ${name} cannot be found.`);
    const policies =
      kind === 'user'
        ? await ctx.store.getUserPolicies(who.accountId, entity.id)
        : kind === 'group'
          ? await ctx.store.getGroupPolicies(who.accountId, entity.id)
          : await ctx.store.getRolePolicies(who.accountId, entity.id);
    // A group is no principal: its policies are evaluated for a member user of the account.
    const principalArn = kind === 'group' ? `arn:${who.partition}:iam::${who.accountId}:user/SimulatedGroupMember` : sourceArn;
    return simulate(ctx, sim, { arn: principalArn, ...(kind === 'group' ? {} : { principalId: entity.id }), policies });
  },
};

export const simulateCustomPolicy: QueryAction = {
  name: 'SimulateCustomPolicy',
  async run(input, ctx) {
    const sim = readSimulation(input, true);
    const who = iamCaller(ctx);
    await ctx.authorize({ action: 'iam:SimulateCustomPolicy', resource: '*' });
    // Without CallerArn the simulated principal is an IAM identity of the caller's account with no
    // policies of its own beyond the input list.
    return simulate(ctx, sim, { arn: `arn:${who.partition}:iam::${who.accountId}:user/SimulatedCaller`, policies: undefined });
  },
};

export const SIMULATE_ACTIONS: readonly QueryAction[] = [simulatePrincipalPolicy, simulateCustomPolicy];
