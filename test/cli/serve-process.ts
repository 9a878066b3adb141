// `scopeward serve` as a user starts it (a working directory of its own, a clean environment),
// for the first-run tests: waits for the start-up banner and stops it with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, NODE } from '../helpers/real-server.ts';
import { cleanEnv } from './run.ts';

export interface ServeProcess {
  child: ChildProcess;
  /** stdout so far (the banner). */
  stdout(): string;
  stderr(): string;
  stop(): Promise<void>;
}

/** Resolves once the banner's last line is out; rejects if the process exits first. */
export async function startServe(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<ServeProcess> {
  const child = spawn(NODE, [BIN, 'serve', '--log-level', 'warn', ...args], { cwd: options.cwd, env: cleanEnv(options.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 90 s:\n${stdout}\n${stderr}`)), 90_000);
    const check = (): void => {
      // The banner is written in one piece; its Management API line is always there.
      if (stdout.includes('Management API audience:') && stdout.includes('database:')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${stdout}\n${stderr}`));
    });
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
