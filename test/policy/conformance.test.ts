import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildPolicySet, evaluate, explain, parsePolicy, runPolicyCases, validatePolicyCaseFile, type PolicyCase, type PolicyKind } from '../../src/policy/index.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/policy/${name}`, import.meta.url), 'utf8'));

describe('policy-cases.json (policy-evaluation.md §8)', () => {
  const file = fixture('policy-cases.json');

  it('is a valid iam-policy-cases/v1 file', () => {
    expect(validatePolicyCaseFile(file)).toMatchObject({ ok: true });
  });

  const report = runPolicyCases(file);
  it.each(report.results.map((r) => [r.id, r] as const))('%s', (_id, result) => {
    expect(result.actual, result.explanation).toBe(result.expected);
  });

  it('runs every case', () => {
    expect(report.valid).toBe(true);
    expect(report.failed).toBe(0);
    expect(report.passed).toBe((file as { cases: unknown[] }).cases.length);
  });
});

interface ValidationVector {
  id: string;
  kind: PolicyKind;
  managed: boolean;
  document: string;
  expected: { ok: true } | { ok: false; code: string; message: string };
}

describe('MalformedPolicyDocument texts recorded from AWS (aws-policy-validation.json)', () => {
  const { vectors } = fixture('aws-policy-validation.json') as { vectors: ValidationVector[] };
  it.each(vectors.map((v) => [v.id.replace(/^.*#(Test|test)/, '$1'), v] as const))('%s', (_id, v) => {
    const result = parsePolicy(v.document, v.kind, { managed: v.managed });
    if (v.expected.ok) {
      expect(result.ok ? 'ok' : result.error.message).toBe('ok');
    } else {
      expect(result.ok ? 'accepted' : result.error.message).toBe(v.expected.message);
    }
  });
});

describe('explanations of the conformance cases', () => {
  const file = fixture('policy-cases.json') as { cases: { id: string; expected: string }[] };
  const report = runPolicyCases(file);
  it('every denial names a deciding statement or the layer without an Allow', () => {
    for (const r of report.results) {
      if (r.decision?.outcome === 'ExplicitDeny') expect(r.decision.matched.length, r.id).toBeGreaterThan(0);
      if (r.decision?.outcome === 'ImplicitDeny') expect(r.decision.missingLayer, r.id).toBeDefined();
    }
  });
  it('explain() marks every deciding statement as applying, and its decision equals evaluate()', () => {
    const cases = (file as unknown as { cases: PolicyCase[] }).cases;
    for (const c of cases) {
      const built = buildPolicySet(c);
      if (!built.ok) throw new Error(built.error);
      const e = explain(c.request, built.policies);
      expect(e.decision, c.id).toEqual(evaluate(c.request, built.policies));
      for (const m of e.decision.matched) {
        const layer = e.layers.find((l) => l.layer === m.layer && l.policies.some((p) => p.policy === m.policy));
        const statement = layer?.policies.find((p) => p.policy === m.policy)?.statements[m.index];
        expect(statement?.applies, `${c.id} ${m.layer} ${m.policy.id} #${m.index}`).toBe(true);
      }
      if (e.decision.outcome !== 'Allow') expect(e.message, c.id).toMatch(/^(User: |Roles may not|Not authorized)/);
    }
  });
});
