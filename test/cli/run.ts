// Runs `node bin/scopeward.js ...` as a user would, in an environment cleared of every
// configuration variable the test run itself may carry (DATABASE_URL, SCOPEWARD_*).
import { spawn } from 'node:child_process';
import { BIN, NODE } from '../helpers/real-server.ts';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('SCOPEWARD_') && k !== 'DATABASE_URL' && k !== 'PORT' && k !== 'LOG_LEVEL' && k !== 'NODE_ENV') env[k] = v;
  }
  return { ...env, ...extra };
}

/** Asynchronous, so a test can run a CLI command against a server in its own process. */
export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [BIN, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
