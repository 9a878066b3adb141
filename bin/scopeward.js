#!/usr/bin/env -S node --max-semi-space-size=4
// Entry point of the `scopeward` command.
// - Scopeward runs on the Node.js 24 that `npm install` brings (the `node` package); started by an
//   older system Node, this file re-runs itself on that one, so `npx scopeward` works anywhere.
// - It runs the compiled build in dist/ (made by `npm install` / `npm run build`) when that build
//   is newer than every source file, and the TypeScript sources directly otherwise.
// - --max-semi-space-size=4 caps V8's young generation at 4 MB per semi-space: the idle server
//   then stays ~25 MB smaller, with no measurable cost in throughput (bench/README.md).
// - Stopping the process that started it stops Scopeward too (issue 10): the re-run forwards
//   signals to its child, and a process started by npm/npx or by that re-run stops (as on SIGTERM)
//   when its parent goes away, since the shell npx puts in between does not forward signals and a
//   SIGKILLed parent cannot.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import module from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const major = Number(process.versions.node.split('.')[0]);
const V8_FLAGS = ['--max-semi-space-size=4'];

// libuv's threadpool runs both RS256 signatures (one per token, src/tokens/jws.ts) and argon2id
// hashes (one slot per CPU, at most 4, src/domain/passwords.ts). Sized so a login flood holding
// every hash slot still leaves a thread per CPU for signing; libuv reads this once, at the pool's
// first use, so it is set before anything runs. An operator's own value wins.
if (!process.env.UV_THREADPOOL_SIZE) {
  const cpus = availableParallelism();
  process.env.UV_THREADPOOL_SIZE = String(Math.max(4, Math.min(cpus, 4) + cpus));
}

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function entryModule() {
  const built = path.join(root, 'dist', 'cli', 'index.js');
  const stamp = path.join(root, 'dist', '.built'); // written by npm run build after a successful compile
  if (existsSync(built) && existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource(path.join(root, 'src'))) return built;
  return path.join(root, 'src', 'cli', 'index.ts');
}

/** The environment variable that tells the re-run which process started it. */
const PARENT = 'SCOPEWARD_WRAPPER_PID';

/**
 * Started by npm or npx (npm_lifecycle_event is set) or by the re-run below: once the parent is gone
 * this process is an orphan nobody will stop, so it stops itself the way SIGTERM would. Not for a
 * process started from a shell, which may legitimately outlive it (nohup, disown).
 */
function stopWithParent() {
  const parent = process.ppid;
  if (!process.env.npm_lifecycle_event && process.env[PARENT] !== String(parent)) return;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
  }, 500);
  timer.unref();
}

if (major < 24) {
  const pinned = path.join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(pinned)) {
    process.stderr.write(`scopeward needs Node.js 24 or newer (this is ${process.version}); run npm install first.\n`);
    process.exit(1);
  }
  const child = spawn(pinned, [...V8_FLAGS, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, [PARENT]: String(process.pid) },
  });
  // Forwarded, and otherwise ignored here: this process ends when the child does. (A terminal's
  // Ctrl-C reaches both; the server takes a repeated signal as the same request to stop.) Not
  // SIGHUP: a handler would undo nohup; if SIGHUP ends this process, the child notices and stops.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (!signal) process.exit(code ?? 1);
    // Die of the same signal, so whoever started us sees what happened.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  });
} else {
  stopWithParent();
  // V8's compile cache, kept in the installation: later starts skip compiling the same modules
  // again (about 150 ms of CPU for the server's; `scopeward dev` should start in under a second).
  // A read-only installation just goes without it.
  module.enableCompileCache?.(path.join(root, 'node_modules', '.cache', 'scopeward-compile'));
  const { main } = await import(pathToFileURL(entryModule()).href);
  await main(process.argv);
}
