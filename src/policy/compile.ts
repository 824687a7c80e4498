/**
 * AST → compiled matchers, once per policy (STYLE.md "parse, don't validate"): action globs,
 * resource ARN patterns split into fields, principal sets, condition operators resolved to
 * closures. Evaluation reads only this form.
 */

import { compileResourcePattern, type RequestResource, type ResourcePattern } from './arn.js';
import type { ConditionOperator, PatternElement, PolicyKind, PolicyLabel, PolicyStatement, PolicyVersion } from './ast.js';
import { compileClause, type CompiledClause } from './conditions.js';
import { LAYERS, type Layer, type MatchedStatement } from './decision.js';
import type { PolicyError } from './errors.js';
import { compileGlob, type Glob } from './glob.js';
import { parseDocument } from './parse.js';
import { PrincipalMatcher } from './principal.js';
import type { VariableLookup } from './variables.js';

/** Internal slot holding the compiled statements; not exported from the package. */
export const COMPILED: unique symbol = Symbol('open-sts.policy.compiled');

export interface CompiledPolicy {
  readonly kind: PolicyKind;
  readonly label: PolicyLabel;
  /** Effective version: a document without `Version` is evaluated as 2008-10-17 (§1.2). */
  readonly version: PolicyVersion;
  readonly versionSpecified: boolean;
  readonly id?: string;
  readonly statements: readonly PolicyStatement[];
  /** @internal */
  readonly [COMPILED]: StatementIndex;
}

export type ParseResult = { readonly ok: true; readonly policy: CompiledPolicy } | { readonly ok: false; readonly error: PolicyError };

export interface ParsePolicyOptions {
  readonly label?: PolicyLabel;
  /** CreatePolicy / CreatePolicyVersion: `Version` must be 2012-10-17. */
  readonly managed?: boolean;
}

/** Parses, validates and compiles a policy document. Never throws. */
export function parsePolicy(document: string, kind: PolicyKind, options: ParsePolicyOptions = {}): ParseResult {
  if (typeof document !== 'string') return { ok: false, error: { code: 'SyntaxError', message: 'Syntax errors in policy.', path: '$' } };
  const parsed = parseDocument(document, kind, options.managed ? { managed: true } : {});
  if (!parsed.ok) return parsed;
  const doc = parsed.document;
  const label = Object.freeze({ ...(options.label ?? { id: kind }) });
  const variables = doc.version === '2012-10-17';
  const compiled = new StatementIndex(doc.statements.map((s) => compileStatement(s, label, variables)));
  const policy: CompiledPolicy = Object.freeze({
    kind,
    label,
    version: doc.version,
    versionSpecified: doc.versionSpecified,
    ...(doc.id !== undefined ? { id: doc.id } : {}),
    statements: doc.statements,
    [COMPILED]: compiled,
  });
  return { ok: true, policy };
}

/** Every compiled statement of a policy, in document order. */
export function compiledStatements(policy: CompiledPolicy): readonly CompiledStatement[] {
  return policy[COMPILED].all;
}

/** The statements that can apply to an action of this (lower-cased) service prefix, in document order. */
export function statementsForService(policy: CompiledPolicy, service: string): readonly CompiledStatement[] {
  return policy[COMPILED].forService(service);
}

/**
 * Statements grouped by the service prefixes their Action element names, so evaluating a request
 * skips statements about other services. Statements with NotAction, `*` or a wildcard in the
 * service part can apply to any service and appear in every group.
 */
export class StatementIndex {
  readonly all: readonly CompiledStatement[];
  private readonly anyService: readonly CompiledStatement[];
  private readonly byService: ReadonlyMap<string, readonly CompiledStatement[]>;

  constructor(statements: readonly CompiledStatement[]) {
    this.all = Object.freeze([...statements]);
    const services = new Set<string>();
    const serviceSets = statements.map((cs) => {
      const named = namedServices(cs.statement.action);
      for (const s of named ?? []) services.add(s);
      return named;
    });
    this.anyService = Object.freeze(statements.filter((_, i) => serviceSets[i] === undefined));
    const byService = new Map<string, readonly CompiledStatement[]>();
    for (const service of services) {
      byService.set(service, Object.freeze(statements.filter((_, i) => serviceSets[i] === undefined || serviceSets[i]!.has(service))));
    }
    this.byService = byService;
    Object.freeze(this);
  }

  forService(service: string): readonly CompiledStatement[] {
    return this.byService.get(service) ?? this.anyService;
  }
}

/** The lower-cased services an Action element can name, or undefined if it can name any service. */
function namedServices(element: PatternElement): Set<string> | undefined {
  if (element.negated) return undefined;
  const services = new Set<string>();
  for (const value of element.values) {
    const colon = value.indexOf(':');
    const service = colon < 0 ? value : value.slice(0, colon);
    if (colon < 0 || service.includes('*') || service.includes('?')) return undefined;
    services.add(service.toLowerCase());
  }
  return services;
}

export interface CompiledStatement {
  readonly statement: PolicyStatement;
  readonly label: PolicyLabel;
  readonly allow: boolean;
  readonly action: ActionMatcher;
  /** Undefined: the statement has no `Resource` and applies to the attached resource. */
  readonly resource: ResourceMatcher | undefined;
  readonly principal: PrincipalMatcher | undefined;
  readonly notPrincipal: boolean;
  readonly clauses: readonly CompiledClause[];
  /** Operators IAM accepted only because their block was empty; they fail closed (§1.6). */
  readonly unknownOperators: readonly string[];
  /** Context keys this statement reads, as written (conditions and `${…}` variables). */
  readonly contextKeys: readonly string[];
  /** The statement as a decision reports it, per layer, built once. */
  readonly matchedAs: Readonly<Record<Layer, MatchedStatement>>;
}

function compileStatement(statement: PolicyStatement, label: PolicyLabel, variables: boolean): CompiledStatement {
  const clauses: CompiledClause[] = [];
  const unknownOperators: string[] = [];
  for (const block of statement.condition) {
    const operator: ConditionOperator = block.operator;
    if (!operator.known) {
      unknownOperators.push(operator.name);
      continue;
    }
    for (const clause of block.clauses) clauses.push(compileClause({ ...block, operator }, clause, variables));
  }
  const resource = statement.resource ? new ResourceMatcher(statement.resource, variables) : undefined;
  const keys = new Map<string, string>();
  for (const c of clauses) {
    if (!keys.has(c.lookupKey)) keys.set(c.lookupKey, c.clause.key);
    for (const v of c.variableKeys) if (!keys.has(v)) keys.set(v, v);
  }
  for (const v of resource?.variableKeys ?? []) if (!keys.has(v.toLowerCase())) keys.set(v.toLowerCase(), v);
  return Object.freeze({
    statement,
    label,
    allow: statement.effect === 'Allow',
    action: new ActionMatcher(statement.action),
    resource,
    principal: statement.principal ? new PrincipalMatcher(statement.principal) : undefined,
    notPrincipal: statement.principal?.negated ?? false,
    clauses: Object.freeze(clauses),
    unknownOperators: Object.freeze(unknownOperators),
    contextKeys: Object.freeze([...keys.values()]),
    matchedAs: Object.freeze(Object.fromEntries(LAYERS.map((layer) => [layer, matchedStatement(statement, label, layer)])) as Record<Layer, MatchedStatement>),
  });
}

function matchedStatement(s: PolicyStatement, policy: PolicyLabel, layer: Layer): MatchedStatement {
  return Object.freeze({
    policy,
    layer,
    index: s.index,
    ...(s.sid !== undefined ? { sid: s.sid } : {}),
    effect: s.effect,
    start: s.start,
    end: s.end,
  });
}

/** `Action`/`NotAction` (§2.2): case-insensitive globs over `service:Action`. */
export class ActionMatcher {
  readonly negated: boolean;
  private readonly all: boolean;
  private readonly exact = new Set<string>();
  private readonly globs: Glob[] = [];

  constructor(element: PatternElement) {
    this.negated = element.negated;
    let all = false;
    for (const value of element.values) {
      const lower = value.toLowerCase();
      const glob = compileGlob(lower);
      if (glob.matchesEverything) all = true;
      else if (glob.literal !== undefined) this.exact.add(glob.literal);
      else this.globs.push(glob);
    }
    this.all = all;
  }

  /** Whether any listed pattern names the (lower-cased) action. */
  lists(actionLower: string): boolean {
    if (this.all || this.exact.has(actionLower)) return true;
    const globs = this.globs;
    for (let i = 0; i < globs.length; i++) if (globs[i]!.matches(actionLower)) return true;
    return false;
  }

  applies(actionLower: string): boolean {
    return this.lists(actionLower) !== this.negated;
  }
}

/** `Resource`/`NotResource` (§2.3). */
export class ResourceMatcher {
  readonly negated: boolean;
  private readonly patterns: readonly ResourcePattern[];
  readonly variableKeys: readonly string[];

  constructor(element: PatternElement, variables: boolean) {
    this.negated = element.negated;
    this.patterns = element.values.map((v) => compileResourcePattern(v, variables));
    const keys: string[] = [];
    if (variables) {
      for (const v of element.values) for (const m of v.matchAll(/\$\{([^},']+)(?:, '[^']*')?\}/g)) if (!['*', '?', '$'].includes(m[1]!)) keys.push(m[1]!);
    }
    this.variableKeys = keys;
  }

  /** Whether any listed pattern covers the resource; a pattern whose variable has no value covers nothing. */
  lists(resource: RequestResource, lookup: VariableLookup): boolean {
    const patterns = this.patterns;
    for (let i = 0; i < patterns.length; i++) if (patterns[i]!.matches(resource, lookup)) return true;
    return false;
  }

  applies(resource: RequestResource, lookup: VariableLookup): boolean {
    return this.lists(resource, lookup) !== this.negated;
  }
}
