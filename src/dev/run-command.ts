// `scopeward dev ... -- COMMAND`: runs a command (a test suite) against the dev server, with the
// settings an application using the Auth0 SDKs reads, and ends with it. NODE_EXTRA_CA_CERTS is
// read once, when a Node.js process starts, and names one file: when the caller already sets it,
// the command gets a bundle of that file and the dev CA, so both stay trusted.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DevServer } from './dev-server.ts';

/** The environment a command run against the dev server gets (README: "Dev mode"). */
function devEnvironment(server: DevServer, inherited: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {
    AUTH0_DOMAIN: server.domain,
    AUTH0_ISSUER_BASE_URL: server.issuer,
    AUTH0_CLIENT_ID: server.clientId,
    AUTH0_CLIENT_SECRET: server.clientSecret,
    AUTH0_AUDIENCE: server.audience,
    SCOPEWARD_URL: server.url,
  };
  if (server.caCertPath) {
    const other = inherited.NODE_EXTRA_CA_CERTS;
    if (other && existsSync(other)) {
      const bundle = path.join(server.tempDir, 'ca-bundle.pem');
      writeFileSync(bundle, `${readFileSync(other, 'utf8').trim()}\n${readFileSync(server.caCertPath, 'utf8').trim()}\n`);
      env.NODE_EXTRA_CA_CERTS = bundle;
    } else {
      env.NODE_EXTRA_CA_CERTS = server.caCertPath;
    }
  }
  return env;
}

export interface RunningCommand {
  /** Resolves with the exit code to end with (128 + n for a command ended by signal n, as shells do). */
  exited: Promise<number>;
  kill(signal: NodeJS.Signals): void;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

export function runCommand(argv: readonly string[], server: DevServer): RunningCommand {
  const [file, ...args] = argv;
  const child = spawn(file!, args, { stdio: 'inherit', env: { ...process.env, ...devEnvironment(server, process.env) } });
  const exited = new Promise<number>((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(`scopeward: cannot run ${file}: ${error.message}\n`);
      resolve(127);
    });
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 1) : 1)));
  });
  return { exited, kill: (signal) => void child.kill(signal) };
}
