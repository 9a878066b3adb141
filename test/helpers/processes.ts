// Real processes for the operations tests: start a command, wait for a line or for its exit, find
// every process of its tree, and tell when they are all gone (Linux /proc).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface Launched {
  child: ChildProcess;
  pid: number;
  /** stdout + stderr so far. */
  output(): string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null after a signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when the output contains `text`; rejects if the process ends first or after `ms`. */
  waitFor(text: string, ms?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function launch(command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): Launched {
  const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
    stderr += d.toString();
  });
  // 'close' (not 'exit'): every byte of output has been read by then.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  let ended = false;
  void exited.then(() => (ended = true));
  return {
    child,
    pid: child.pid!,
    output: () => out,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async waitFor(text, ms = 60_000) {
      const deadline = Date.now() + ms;
      while (!out.includes(text)) {
        if (ended) throw new Error(`${command} ${args.join(' ')} ended before printing ${JSON.stringify(text)}:\n${out}`);
        if (Date.now() > deadline) throw new Error(`${command} ${args.join(' ')} did not print ${JSON.stringify(text)} within ${ms} ms:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop(signal = 'SIGTERM') {
      if (!ended) child.kill(signal);
      return exited;
    },
  };
}

/** State letter of a process (R running, S sleeping, Z zombie ...), or undefined when it is gone. */
function state(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** A process has ended when it is gone or a zombie nobody has reaped yet. */
export function ended(pid: number): boolean {
  const s = state(pid);
  return s === undefined || s === 'Z';
}

/** The pid and every live descendant of it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone while we looked.
    }
  }
  const tree: number[] = [];
  const visit = (pid: number): void => {
    if (ended(pid)) return;
    tree.push(pid);
    for (const c of children.get(pid) ?? []) visit(c);
  };
  visit(root);
  return tree;
}

/** Command line of a process, for failure messages. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '(gone)';
  }
}

/** Waits until every pid has ended; returns the ones still running after `ms`. */
export async function waitUntilEnded(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let running = pids.filter((p) => !ended(p));
  while (running.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    running = running.filter((p) => !ended(p));
  }
  return running;
}
