// Auth0's Deploy CLI (`a0deploy`, auth0-deploy-cli) run as a user runs it, against a real server
// (test/helpers/real-server.ts): its own process, the tenant's domain and an application's
// credentials in AUTH0_DOMAIN / AUTH0_CLIENT_ID / AUTH0_CLIENT_SECRET, the local CA trusted through
// NODE_EXTRA_CA_CERTS (set for every test process by test/global-setup.ts), and an optional
// configuration file (`-c`). Each import compiles the CLI's 8 MB JSON schema: ~20-30 s of CPU.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { NODE, type RealServer } from './real-server.ts';

const require = createRequire(import.meta.url);
/** The CLI's entry point (its `a0deploy` bin). */
export const DEPLOY_CLI = require.resolve('auth0-deploy-cli');

/** The YAML library the Deploy CLI reads and writes its files with (CommonJS, no type declarations). */
export const yaml = createRequire(DEPLOY_CLI)('js-yaml') as { load(text: string): unknown; dump(value: unknown): string };

export interface DeployRun {
  status: number | null;
  output: string;
  ms: number;
}

export async function a0deploy(server: RealServer, args: string[], options: { dir: string; config?: Record<string, unknown> }): Promise<DeployRun> {
  const extra: string[] = [];
  if (options.config) {
    const file = path.join(options.dir, 'config.json');
    writeFileSync(file, JSON.stringify(options.config));
    extra.push('-c', file);
  }
  const env = { ...process.env, AUTH0_DOMAIN: server.domain, AUTH0_CLIENT_ID: server.init.client_id, AUTH0_CLIENT_SECRET: server.init.client_secret };
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [DEPLOY_CLI, ...args, ...extra], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.once('error', reject);
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, output, ms: Math.round(performance.now() - started) });
    });
  });
}
