import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPolicyCommand } from '../../src/cli/policy-command.js';

const fixture = new URL('../fixtures/policy/policy-cases.json', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'policy-cli-'));
const write = (name: string, content: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

async function run(argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runPolicyCommand(argv, (l) => lines.push(l));
  return { code, lines };
}

describe('open-sts policy test', () => {
  it('prints one line per case and a summary; exit 0 when all pass', async () => {
    const { code, lines } = await run(['test', fixture]);
    expect(code).toBe(0);
    expect(lines[0]).toBe('PASS M03');
    expect(lines.at(-1)).toBe('120 passed, 0 failed');
    expect(lines.filter((l) => l.startsWith('PASS '))).toHaveLength(120);
  });

  it('explains failures and exits 1', async () => {
    const file = write('bad.json', {
      format: 'iam-policy-cases/v1',
      cases: [
        {
          id: 'X1',
          description: 'wrong expectation',
          policies: { identity: [{ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:username': 'bob' } } } }] },
          request: { principal: 'arn:aws:iam::111122223333:user/alice', action: 's3:GetObject', resource: '*', context: { 'aws:username': 'alice' } },
          expected: 'Allow',
        },
      ],
    });
    const { code, lines } = await run(['policy', 'test', file]);
    expect(code).toBe(1);
    expect(lines).toEqual([
      'FAIL X1: expected Allow got ImplicitDeny — no identity-based policy allows s3:GetObject; failed conditions: identity statement 0: StringEquals aws:username ["bob"] (request: "alice")',
      '0 passed, 1 failed',
    ]);
  });

  it('reports files that are not JSON or not case files', async () => {
    const { code, lines } = await run(['test', write('x.json', '{'), write('y.json', { format: 'other', cases: [] })]);
    expect(code).toBe(1);
    expect(lines[0]).toMatch(/^ERROR .*x\.json: /);
    expect(lines[1]).toMatch(/^ERROR .*y\.json: \$\.format: expected "iam-policy-cases\/v1"$/);
  });

  it('prints usage for bad arguments', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['test'])).code).toBe(2);
  });
});

describe('open-sts policy lint', () => {
  it('prints findings with path and fix; exit 1 on errors', async () => {
    const file = write('p.json', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObjekt', 'iam:PassRole'], Resource: '*' }] });
    const { code, lines } = await run(['lint', file]);
    expect(code).toBe(1);
    expect(lines).toContain('ERROR INVALID_ACTION $.Statement[0].Action[0]: The action s3:GetObjekt does not exist. Fix: Use an action name listed for s3 in the Service Authorization Reference.');
    expect(lines.some((l) => l.startsWith('SECURITY_WARNING PASS_ROLE_WITH_STAR_IN_RESOURCE $.Statement[0].Resource'))).toBe(true);
    expect(lines.at(-1)).toBe('2 findings (1 error)');
  });

  it('lints trust policies', async () => {
    const file = write('t.json', { Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { AWS: '444455556666' }, Action: 'sts:AssumeRole' } });
    const { code, lines } = await run(['lint', file, '--kind', 'trust', '--account', '111122223333', '--offline']);
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^SECURITY_WARNING CROSS_ACCOUNT_TRUST_WITHOUT_CONDITION \$\.Statement\.Principal\.AWS: /);
  });
});
