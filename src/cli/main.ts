#!/usr/bin/env node
import { CONFIG_OPTIONS, loadConfig } from '../config.js';
import { startServer } from '../server/start.js';
import { runPolicyCommand } from './policy-command.js';
import { runTraceCommand } from './trace-command.js';
import { runRotateCommand } from './rotate-command.js';

const USAGE = `open-sts — a self-hosted, AWS-wire-compatible STS and IAM

Usage:
  open-sts serve [options]          start the server (npm start runs this)
  open-sts policy test FILE...      run policy test cases (format iam-policy-cases/v1)
  open-sts policy lint FILE [--kind identity|trust|resource|boundary|session|scp|rcp]
  open-sts rotate-session-keys [options]
                                    add a new session-token key; live sessions stay valid
  open-sts trace ACCESS_KEY_ID [--json] [--data-dir DIR]
                                    the chain of sessions behind a key, from the audit trail
  open-sts --help | --version

Options for serve (each also an environment variable):
${CONFIG_OPTIONS.map((o) => `  ${`${o.flag} <value>`.padEnd(34)}${o.env.padEnd(34)}${o.description}`).join('\n')}
`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case '--version':
      process.stdout.write('open-sts 0.1.0\n');
      return 0;
    case 'serve':
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(USAGE);
        return 0;
      }
      return serve(rest);
    case 'policy':
      return runPolicyCommand(rest, (line) => process.stdout.write(line + '\n'));
    case 'rotate-session-keys':
      return runRotateCommand(rest, process.env, (line) => process.stdout.write(line + '\n'));
    case 'trace':
      return runTraceCommand(rest, (line) => process.stdout.write(line + '\n'), { env: process.env, err: (line) => process.stderr.write(line + '\n') });
    default:
      process.stderr.write(`open-sts: unknown command ${command}\n\n${USAGE}`);
      return 2;
  }
}

async function serve(args: readonly string[]): Promise<number> {
  let config;
  try {
    config = loadConfig(args, process.env);
  } catch (error) {
    process.stderr.write(`open-sts: ${(error as Error).message}\n`);
    return 2;
  }
  const server = await startServer(config);
  const endpoint = server.url;
  const out = (line: string) => process.stdout.write(line + '\n');
  out(`open-sts listening on ${endpoint} (region ${config.region}, data in ${config.dataDir})`);
  if (server.firstStart) {
    out(`First start: created account ${server.firstStart.accountId} with root access key ${server.firstStart.accessKeyId}.`);
    if (server.firstStart.credentialsFile) out(`Root credentials written to ${server.firstStart.credentialsFile} (profile open-sts).`);
  }
  out('Try:');
  out(`  AWS_SHARED_CREDENTIALS_FILE=${config.dataDir}/credentials AWS_PROFILE=open-sts AWS_REGION=${config.region} \\`);
  out(`    aws --endpoint-url ${endpoint} sts get-caller-identity`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      server.app.logger.info({ signal }, 'shutting down: finishing in-flight requests');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await server.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`open-sts: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
