import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npm run bench` end to end in its quick mode, on the TypeScript sources (no build): every
 * section runs, every workload gets answers, nothing fails. It asserts on structure and on
 * correctness (errors), never on speed — figures from a shared machine are not test material.
 */
describe('npm run bench --quick', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs every section and reports no errors', { timeout: 300_000 }, async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'open-sts-bench-smoke-'));
    const out = path.join(dir, 'results.json');
    const args = [
      '--import',
      'tsx',
      'bench/run.ts',
      '--quick',
      '--from-source',
      '--only=gci-session,assume-role,iam-write',
      '--seconds=0.5',
      '--warmup=0',
      '--pool=20',
      '--scale-pool=40',
      '--sizes=5,25',
      '--memory-calls=200',
      `--out=${out}`,
    ];
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, args, { cwd: fileURLToPath(new URL('../..', import.meta.url)), maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}\n${stdout}\n${stderr}`));
        else resolve(stdout);
      });
    });
    expect(stdout).toContain('targets');
    const report = JSON.parse(await readFile(out, 'utf8')) as {
      main: Row[];
      halfRate: { workload: string; result: Result }[];
      memory: { calls: number; errors: number; rssAfterMb?: number };
      storeSize: (Row & { roles: number })[];
      auditSize: Row[];
      processes: (Row & { processes: number })[];
      targets: { name: string; pass: boolean }[];
    };
    type Result = { requests: number; errors: number; rps: number; latency: { p50: number; p99: number } };
    type Row = { workload: string; responseBytes: number; server: Result; baseline: Result; ratio: number; auditEvents?: number };

    expect(report.main.map((r) => r.workload)).toEqual(['gci-session', 'assume-role', 'iam-write']);
    expect(report.halfRate.map((r) => r.workload)).toEqual(['gci-session', 'assume-role', 'iam-write']);
    expect(report.storeSize.map((r) => [r.workload, r.roles])).toEqual([
      ['assume-role', 5],
      ['assume-role', 25],
    ]);
    expect(report.auditSize.map((r) => r.workload)).toEqual(['gci-session', 'assume-role']);
    // Every answered call left an audit record, so the store only grows.
    expect(report.auditSize[0]!.auditEvents).toBeGreaterThan(report.main[0]!.auditEvents ?? Infinity);
    expect(report.processes.map((r) => [r.workload, r.processes])).toEqual([
      ['gci-session', 1],
      ['assume-role', 1],
      ['gci-session', 2],
      ['assume-role', 2],
    ]);
    for (const row of [...report.main, ...report.storeSize, ...report.auditSize, ...report.processes]) {
      expect(row.server.requests, row.workload).toBeGreaterThan(0);
      expect(row.baseline.requests, row.workload).toBeGreaterThan(0);
      expect(row.server.errors, row.workload).toBe(0);
      expect(row.baseline.errors, row.workload).toBe(0);
      expect(row.responseBytes).toBeGreaterThan(100);
      expect(row.server.latency.p99).toBeGreaterThanOrEqual(row.server.latency.p50);
    }
    for (const row of report.halfRate) {
      expect(row.result.requests, row.workload).toBeGreaterThan(0);
      expect(row.result.errors, row.workload).toBe(0);
    }
    expect(report.memory.calls).toBe(200);
    expect(report.memory.errors).toBe(0);
    expect(report.targets).toContainEqual({ name: 'no errors', value: '0', pass: true });
  });
});
