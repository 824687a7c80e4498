import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/** Debian's AWS CLI v2 and Python with boto3; older copies earlier on PATH are never used. */
export const AWS_CLI = '/usr/bin/aws';
export const PYTHON = '/usr/bin/python3';

/**
 * Fails (never skips) when a client binary is missing: CI installs them, and a test that
 * silently does nothing would hide a broken setup.
 */
export function requireExecutable(file: string, what: string): void {
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new Error(`${what} is required at ${file} for this test (CI installs it; on Debian: apt-get install awscli python3-boto3)`);
  }
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to completion; a non-zero exit is a result, not an exception. */
export function run(file: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; input?: string; cwd?: string }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { env: options.env, cwd: options.cwd, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new Error(`${file} did not run: ${error.message}\n${stderr}`));
        return;
      }
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** An environment with nothing inherited that could point a client elsewhere (no AWS_*, no user site). */
export function cleanEnv(home: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: '/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    PYTHONNOUSERSITE: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    ...extra,
  };
}
