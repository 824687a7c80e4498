/**
 * Runner for policy test-case files in format `iam-policy-cases/v1` (policy-evaluation.md §0).
 * Takes already-parsed JSON (no I/O here); used by the conformance test and `open-sts policy test`.
 */

import type { PolicyKind } from './ast.js';
import { parsePolicy, type CompiledPolicy } from './compile.js';
import { evaluate, type Decision, type Outcome, type PolicySet } from './evaluate.js';
import { describeCondition, explain } from './explain.js';
import { isTrustRequest, type AuthorizationRequest } from './request.js';

export const CASE_FILE_FORMAT = 'iam-policy-cases/v1';
const OUTCOMES: readonly Outcome[] = ['Allow', 'ExplicitDeny', 'ImplicitDeny'];
const LAYER_KEYS = ['identity', 'resource', 'boundary', 'session', 'scp', 'rcp'] as const;
type LayerKey = (typeof LAYER_KEYS)[number];

export interface PolicyCase {
  readonly id: string;
  readonly description: string;
  /** Policy documents per layer; `scp`/`rcp` elements are one policy or an array per level. */
  readonly policies: Readonly<Record<LayerKey, readonly unknown[]>>;
  readonly request: AuthorizationRequest;
  readonly expected: Outcome;
  readonly reason?: string;
  readonly source?: readonly { readonly title: string; readonly url: string | null }[];
  readonly basis?: string;
}

export interface PolicyCaseFile {
  readonly format: typeof CASE_FILE_FORMAT;
  readonly accounts?: Readonly<Record<string, string>>;
  readonly cases: readonly PolicyCase[];
}

export type CaseFileValidation = { readonly ok: true; readonly file: PolicyCaseFile } | { readonly ok: false; readonly errors: readonly string[] };

export interface CaseResult {
  readonly id: string;
  readonly passed: boolean;
  readonly expected: Outcome;
  /** `Error` when a policy in the case does not parse. */
  readonly actual: Outcome | 'Error';
  /** One line: why the engine decided as it did (or the parse error). */
  readonly explanation: string;
  readonly decision?: Decision;
}

export interface CaseRunReport {
  /** False if the file is not a valid case file; then `errors` says why and `results` is empty. */
  readonly valid: boolean;
  readonly errors: readonly string[];
  readonly results: readonly CaseResult[];
  readonly passed: number;
  readonly failed: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks the shape of a case file (§0); reports every problem found, by JSON path. */
export function validatePolicyCaseFile(file: unknown): CaseFileValidation {
  const errors: string[] = [];
  if (!isRecord(file)) return { ok: false, errors: ['$: expected an object'] };
  if (file['format'] !== CASE_FILE_FORMAT) errors.push(`$.format: expected "${CASE_FILE_FORMAT}"`);
  const cases = file['cases'];
  if (!Array.isArray(cases)) {
    errors.push('$.cases: expected an array');
    return { ok: false, errors };
  }
  const ids = new Set<string>();
  cases.forEach((c: unknown, i) => {
    const at = `$.cases[${i}]`;
    if (!isRecord(c)) {
      errors.push(`${at}: expected an object`);
      return;
    }
    if (typeof c['id'] !== 'string' || c['id'] === '') errors.push(`${at}.id: expected a non-empty string`);
    else if (ids.has(c['id'])) errors.push(`${at}.id: duplicate id ${c['id']}`);
    else ids.add(c['id']);
    if (c['description'] !== undefined && typeof c['description'] !== 'string') errors.push(`${at}.description: expected a string`);
    if (!OUTCOMES.includes(c['expected'] as Outcome)) errors.push(`${at}.expected: expected one of ${OUTCOMES.join(', ')}`);
    const policies = c['policies'];
    if (!isRecord(policies)) errors.push(`${at}.policies: expected an object`);
    else {
      for (const key of Object.keys(policies)) if (!(LAYER_KEYS as readonly string[]).includes(key)) errors.push(`${at}.policies.${key}: unknown layer`);
      for (const key of LAYER_KEYS) {
        const list = policies[key];
        if (list === undefined) continue;
        if (!Array.isArray(list)) errors.push(`${at}.policies.${key}: expected an array`);
        else
          list.forEach((p: unknown, j) => {
            const levelOk = (key === 'scp' || key === 'rcp') && Array.isArray(p) && p.every(isRecord);
            if (!isRecord(p) && !levelOk) errors.push(`${at}.policies.${key}[${j}]: expected a policy document object`);
          });
      }
    }
    const request = c['request'];
    if (!isRecord(request)) errors.push(`${at}.request: expected an object`);
    else {
      for (const key of ['principal', 'action', 'resource']) if (typeof request[key] !== 'string') errors.push(`${at}.request.${key}: expected a string`);
      for (const key of ['resourceAccount', 'principalRoleArn', 'federatingUserArn', 'principalId'])
        if (request[key] !== undefined && typeof request[key] !== 'string') errors.push(`${at}.request.${key}: expected a string`);
      const context = request['context'];
      if (!isRecord(context)) errors.push(`${at}.request.context: expected an object`);
      else
        for (const [k, v] of Object.entries(context)) {
          const ok = typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
          if (!ok) errors.push(`${at}.request.context[${JSON.stringify(k)}]: expected a string or an array of strings`);
        }
    }
  });
  return errors.length ? { ok: false, errors } : { ok: true, file: file as unknown as PolicyCaseFile };
}

/** Runs every case of a case file. */
export function runPolicyCases(file: unknown): CaseRunReport {
  const validation = validatePolicyCaseFile(file);
  if (!validation.ok) return { valid: false, errors: validation.errors, results: [], passed: 0, failed: 0 };
  const results = validation.file.cases.map(runPolicyCase);
  const passed = results.filter((r) => r.passed).length;
  return { valid: true, errors: [], results, passed, failed: results.length - passed };
}

/** Compiles a case's policies and evaluates its request. */
export function runPolicyCase(c: PolicyCase): CaseResult {
  const built = buildPolicySet(c);
  if (!built.ok) return { id: c.id, passed: false, expected: c.expected, actual: 'Error', explanation: built.error };
  const decision = evaluate(c.request, built.policies);
  const passed = decision.outcome === c.expected;
  return { id: c.id, passed, expected: c.expected, actual: decision.outcome, explanation: explainBriefly(c.request, built.policies, decision), decision };
}

/** The case's policies compiled per layer; the resource policy of a role trust request is a trust policy. */
export function buildPolicySet(c: Pick<PolicyCase, 'id' | 'policies' | 'request'>): { ok: true; policies: PolicySet } | { ok: false; error: string } {
  const trust = isTrustRequest(c.request);
  const failures: string[] = [];
  const compile = (doc: unknown, kind: PolicyKind, id: string): CompiledPolicy | undefined => {
    const result = parsePolicy(JSON.stringify(doc), kind, { label: { id, layer: kind } });
    if (result.ok) return result.policy;
    failures.push(`${id}: ${result.error.message} at ${result.error.path}`);
    return undefined;
  };
  const list = (key: LayerKey, kind: PolicyKind): CompiledPolicy[] =>
    (c.policies[key] ?? []).flatMap((doc, i) => compile(doc, kind, `${key}[${i}]`) ?? []);
  const levels = (key: 'scp' | 'rcp'): CompiledPolicy[][] =>
    (c.policies[key] ?? []).map((level, i) =>
      (Array.isArray(level) ? level : [level]).flatMap((doc: unknown, j: number) => compile(doc, key, `${key}[${i}][${j}]`) ?? []),
    );
  const policies: PolicySet = {
    identity: list('identity', 'identity'),
    resource: list('resource', trust ? 'trust' : 'resource'),
    boundary: list('boundary', 'boundary'),
    session: list('session', 'session'),
    scp: levels('scp'),
    rcp: levels('rcp'),
  };
  return failures.length ? { ok: false, error: `policy does not parse: ${failures.join('; ')}` } : { ok: true, policies };
}

function explainBriefly(request: AuthorizationRequest, policies: PolicySet, decision: Decision): string {
  const e = explain(request, policies);
  const conditions = e.failedConditions.slice(0, 3).map((c) => `${c.layer} statement ${c.statementIndex}: ${describeCondition(c)}`);
  return [e.summary || decision.outcome, ...(conditions.length ? [`failed conditions: ${conditions.join('; ')}`] : [])].join('; ');
}
