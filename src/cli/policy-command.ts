/**
 * `open-sts policy …` — the policy engine from the command line.
 *
 *   open-sts policy test FILE...                      run iam-policy-cases/v1 files; exit 0 only if all pass
 *   open-sts policy lint FILE [--kind K] [--account ID] [--managed] [--offline]
 *                                                     Access Analyzer-style findings; exit 1 on ERROR
 *
 * The command reads files; everything else is the pure engine in `src/policy/`.
 */

import { readFile } from 'node:fs/promises';
import { lintPolicy, loadIamDataCatalog, runPolicyCases, type Finding, type LintOptions, type PolicyKind } from '../policy/index.js';

const KINDS: readonly PolicyKind[] = ['identity', 'boundary', 'session', 'resource', 'trust', 'scp', 'rcp'];

const USAGE = [
  'usage: open-sts policy test FILE...',
  `       open-sts policy lint FILE [--kind ${KINDS.join('|')}] [--account ACCOUNT_ID] [--managed] [--offline]`,
];

export async function runPolicyCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const args = argv[0] === 'policy' ? argv.slice(1) : argv;
  const [command, ...rest] = args;
  if (command === 'test') return testCommand(rest, out);
  if (command === 'lint') return lintCommand(rest, out);
  for (const line of USAGE) out(line);
  return 2;
}

async function testCommand(files: string[], out: (line: string) => void): Promise<number> {
  if (files.length === 0 || files.some((f) => f.startsWith('-'))) {
    out(USAGE[0]!);
    return 2;
  }
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    const loaded = await readJson(file);
    if (!loaded.ok) {
      out(`ERROR ${file}: ${loaded.error}`);
      failed++;
      continue;
    }
    const report = runPolicyCases(loaded.value);
    if (!report.valid) {
      for (const error of report.errors) out(`ERROR ${file}: ${error}`);
      failed++;
      continue;
    }
    for (const r of report.results) {
      if (r.passed) out(`PASS ${r.id}`);
      else out(`FAIL ${r.id}: expected ${r.expected} got ${r.actual} — ${r.explanation}`);
    }
    passed += report.passed;
    failed += report.failed;
  }
  out(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

async function lintCommand(args: string[], out: (line: string) => void): Promise<number> {
  let file: string | undefined;
  let kind: PolicyKind = 'identity';
  let accountId: string | undefined;
  let managed = false;
  let offline = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--kind') {
      const value = args[++i];
      if (!value || !(KINDS as readonly string[]).includes(value)) return usage(out);
      kind = value as PolicyKind;
    } else if (arg === '--account') {
      accountId = args[++i];
      if (!accountId || !/^\d{12}$/.test(accountId)) return usage(out);
    } else if (arg === '--managed') managed = true;
    else if (arg === '--offline') offline = true;
    else if (!arg.startsWith('-') && file === undefined) file = arg;
    else return usage(out);
  }
  if (file === undefined) return usage(out);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    out(`ERROR ${file}: ${(e as Error).message}`);
    return 1;
  }
  const options: LintOptions = {
    ...(offline ? {} : { catalog: await loadIamDataCatalog(referencedServices(text)) }),
    ...(accountId !== undefined ? { accountId } : {}),
    ...(managed ? { managed } : {}),
  };
  const findings = lintPolicy(text, kind, options);
  for (const f of findings) out(formatFinding(f));
  const errors = findings.filter((f) => f.findingType === 'ERROR').length;
  out(`${findings.length} finding${findings.length === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'})`);
  return errors === 0 ? 0 : 1;
}

function usage(out: (line: string) => void): number {
  out(USAGE[1]!);
  return 2;
}

export function formatFinding(f: Finding): string {
  return `${f.findingType} ${f.issueCode} ${f.path}: ${f.message} Fix: ${f.fix}`;
}

async function readJson(file: string): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
  try {
    return { ok: true, value: JSON.parse(await readFile(file, 'utf8')) as unknown };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** Service prefixes named in a policy's actions and condition keys, so only those are loaded. */
function referencedServices(text: string): string[] {
  const prefixes = new Set<string>();
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  const statements = (doc as { Statement?: unknown })?.Statement;
  for (const s of Array.isArray(statements) ? statements : [statements]) {
    if (typeof s !== 'object' || s === null) continue;
    const record = s as Record<string, unknown>;
    for (const key of ['Action', 'NotAction']) {
      const values = record[key];
      for (const v of Array.isArray(values) ? values : [values]) if (typeof v === 'string' && v.includes(':')) prefixes.add(v.slice(0, v.indexOf(':')).toLowerCase());
    }
    const condition = record['Condition'];
    if (typeof condition === 'object' && condition !== null) {
      for (const block of Object.values(condition)) {
        if (typeof block === 'object' && block !== null) for (const key of Object.keys(block)) if (key.includes(':')) prefixes.add(key.slice(0, key.indexOf(':')).toLowerCase());
      }
    }
  }
  return [...prefixes].filter((p) => /^[a-z0-9.-]+$/.test(p));
}
