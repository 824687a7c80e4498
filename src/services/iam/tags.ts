import type { Tag } from '../../store/types.js';
import type { TagTarget } from '../../store/store.js';
import type { ActionContext, ContextValue, QueryAction } from '../action.js';
import {
  MAX_TAGS,
  RULES,
  checkTagSemantics,
  iamCaller,
  pageMembers,
  paginate,
  readMarker,
  readMaxItems,
  readTagKeys,
  readTags,
  requestTagContext,
  stored,
  tagMembers,
  type IamCaller,
} from './common.js';
import { lookupEntity } from './entities.js';
import { lookupPolicy } from './managed-policies.js';
import type { QueryInput } from '../../protocol/query.js';

interface Resolved {
  readonly target: TagTarget;
  readonly resourceAccount: string;
  readonly arn: string;
  readonly context: Record<string, ContextValue>;
  /** Policies sort ListPolicyTags by key length, then key (recorded: a, b, z, abc). */
  readonly policy: boolean;
}

interface Taggable {
  readonly noun: 'User' | 'Role' | 'Policy';
  read(input: QueryInput): string;
  resolve(ctx: ActionContext, who: IamCaller, id: string): Promise<Resolved>;
}

const TAGGABLE: readonly Taggable[] = [
  {
    noun: 'User',
    read: (input) => input.string('UserName', RULES.existingUserName),
    async resolve(ctx, who, name) {
      const target = await lookupEntity(ctx, who, 'user', name);
      return { target: { kind: 'user', name }, arn: target.arn, context: target.context, policy: false, resourceAccount: who.accountId };
    },
  },
  {
    noun: 'Role',
    read: (input) => input.string('RoleName', RULES.roleName),
    async resolve(ctx, who, name) {
      const target = await lookupEntity(ctx, who, 'role', name);
      return { target: { kind: 'role', name }, arn: target.arn, context: target.context, policy: false, resourceAccount: who.accountId };
    },
  },
  {
    noun: 'Policy',
    read: (input) => input.string('PolicyArn', RULES.arn),
    async resolve(ctx, who, arn) {
      const target = await lookupPolicy(ctx, who, arn);
      // AWS managed policies cannot be tagged; they are not the account's to change.
      return { target: { kind: 'policy', arn }, arn, context: target.context, policy: true, resourceAccount: who.accountId };
    },
  },
];

function tagAction(t: Taggable): QueryAction {
  return {
    name: `Tag${t.noun}`,
    async run(input, ctx) {
      const id = t.read(input);
      const tags = readTags(input, true) ?? [];
      input.done();
      const who = iamCaller(ctx);
      const resolved = await t.resolve(ctx, who, id);
      await ctx.authorize({ action: `iam:Tag${t.noun}`, resource: resolved.arn, resourceAccount: resolved.resourceAccount, context: { ...resolved.context, ...requestTagContext(tags) } });
      checkTagSemantics(tags, !resolved.policy);
      await stored(() => ctx.store.tagResource(who.accountId, resolved.target, tags, MAX_TAGS));
      return undefined;
    },
  };
}

function untagAction(t: Taggable): QueryAction {
  return {
    name: `Untag${t.noun}`,
    async run(input, ctx) {
      const id = t.read(input);
      const keys = readTagKeys(input);
      input.done();
      const who = iamCaller(ctx);
      const resolved = await t.resolve(ctx, who, id);
      await ctx.authorize({ action: `iam:Untag${t.noun}`, resource: resolved.arn, resourceAccount: resolved.resourceAccount, context: { ...resolved.context, 'aws:TagKeys': keys } });
      await stored(() => ctx.store.untagResource(who.accountId, resolved.target, keys));
      return undefined;
    },
  };
}

function listAction(t: Taggable): QueryAction {
  return {
    name: `List${t.noun}Tags`,
    async run(input, ctx) {
      const id = t.read(input);
      const marker = readMarker(input);
      const maxItems = readMaxItems(input);
      input.done();
      const who = iamCaller(ctx);
      const resolved = await t.resolve(ctx, who, id);
      await ctx.authorize({ action: `iam:List${t.noun}Tags`, resource: resolved.arn, resourceAccount: resolved.resourceAccount, context: resolved.context });
      const tags: Tag[] = [...(await stored(() => ctx.store.listResourceTags(who.accountId, resolved.target)))];
      if (resolved.policy) tags.sort((a, b) => a.Key.length - b.Key.length || (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0));
      const keyed = tags.map((tag, i) => ({ tag, key: String(i).padStart(6, '0') }));
      const page = paginate(keyed, (e) => e.key, marker, maxItems);
      return pageMembers('Tags', { ...page, items: tagMembers(page.items.map((e) => e.tag)) });
    },
  };
}

export const TAG_ACTIONS: readonly QueryAction[] = TAGGABLE.flatMap((t) => [tagAction(t), untagAction(t), listAction(t)]);
