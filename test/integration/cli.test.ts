import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni } from '@aws-sdk/credential-providers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = path.resolve('src/cli/main.ts');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function waitForLine(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        child.stdout.off('data', onData);
        resolve(seen);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing ${pattern}: ${seen}`)));
  });
}

describe('the open-sts command', () => {
  let dataDir: string;
  let port: number;
  let child: ChildProcessWithoutNullStreams;
  let banner: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'open-sts-cli-'));
    port = await freePort();
    child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve'], {
      env: { ...process.env, OPEN_STS_DATA_DIR: dataDir, OPEN_STS_PORT: String(port), OPEN_STS_LOG_LEVEL: 'warn' },
    });
    banner = await waitForLine(child, /sts get-caller-identity/);
  }, 60_000);
  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints where the root credentials are and a command to try', () => {
    expect(banner).toContain(`open-sts listening on http://127.0.0.1:${port}`);
    expect(banner).toContain(`Root credentials written to ${path.join(dataDir, 'credentials')} (profile open-sts).`);
    expect(banner).toContain(`aws --endpoint-url http://127.0.0.1:${port} sts get-caller-identity`);
    expect(banner).not.toMatch(/aws_secret_access_key|[A-Za-z0-9+/]{40}/);
  });

  it('writes the credentials file 0600 and the master key 0600, and the credentials work', async () => {
    const credentialsFile = path.join(dataDir, 'credentials');
    expect((await stat(credentialsFile)).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dataDir, 'master.key'))).mode & 0o777).toBe(0o600);
    expect(await readFile(credentialsFile, 'utf8')).toMatch(/^\[open-sts\]\naws_access_key_id = AKIA[A-Z2-7]{16}\naws_secret_access_key = \S{40}\n$/);
    const sts = new STSClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'eu-west-3',
      credentials: fromIni({ profile: 'open-sts', filepath: credentialsFile, configFilepath: path.join(dataDir, 'no-config') }),
    });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toMatch(/^arn:aws:iam::\d{12}:root$/);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
  });

  it('stops on SIGTERM, exiting 0', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('keeps the account and key across restarts (bootstrap runs once)', async () => {
    const before = await readFile(path.join(dataDir, 'credentials'), 'utf8');
    const again = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve'], {
      env: { ...process.env, OPEN_STS_DATA_DIR: dataDir, OPEN_STS_PORT: String(port), OPEN_STS_LOG_LEVEL: 'warn' },
    });
    try {
      const second = await waitForLine(again, /sts get-caller-identity/);
      expect(second).not.toContain('First start');
      expect(await readFile(path.join(dataDir, 'credentials'), 'utf8')).toBe(before);
    } finally {
      again.kill('SIGTERM');
    }
  }, 60_000);

  it('answers --help with every setting and rejects an unknown flag', () => {
    const help = spawnSync(process.execPath, ['--import', 'tsx', CLI, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    for (const name of ['OPEN_STS_PORT', 'OPEN_STS_DATA_DIR', 'OPEN_STS_DATABASE_URL', 'OPEN_STS_MASTER_KEY', 'OPEN_STS_STS_RATE_LIMIT', 'policy test']) {
      expect(help.stdout).toContain(name);
    }
    const bad = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'serve', '--no-such-flag'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown option --no-such-flag');
  });
});
