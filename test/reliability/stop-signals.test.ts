// Stopping whatever started Scopeward stops Scopeward (issue 10: a newcomer killed `npm start` by
// its pid and the server kept running). Every layer is a real process: npm (`npm start`, whose
// script execs node), npm exec as `npx` runs it (npm, then a shell that forwards nothing), the re-run
// of bin/scopeward.js on the pinned Node 24 when the system Node is older, and the cluster primary
// with --workers. Each test signals only the outermost process and expects the whole tree gone.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv } from '../cli/run.ts';
import { commandLine, ended, launch, processTree, waitUntilEnded, type Launched } from '../helpers/processes.ts';
import { BIN, freePort, ROOT } from '../helpers/real-server.ts';

/** Generous: the server finishes in-flight requests (none here) and closes the database. */
const STOP_BOUND_MS = 20_000;
const launched: Launched[] = [];
/** Servers meant to outlive their parent: no longer in any launched tree. */
const orphans: number[] = [];
const dirs: string[] = [];

afterAll(() => {
  for (const l of launched) for (const pid of processTree(l.pid).reverse()) process.kill(pid, 'SIGKILL');
  for (const pid of orphans) if (!ended(pid)) process.kill(pid, 'SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A data dir holding the run's test CA, and the environment to serve it on a free port. */
async function serverEnv(): Promise<{ env: NodeJS.ProcessEnv; port: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-signals-'));
  dirs.push(dir);
  const ca = process.env.SCOPEWARD_TEST_CA_DIR;
  if (!ca) throw new Error('SCOPEWARD_TEST_CA_DIR is not set: run the tests through vitest (test/global-setup.ts)');
  for (const f of ['ca.crt', 'ca.key', 'server.key']) copyFileSync(path.join(ca, f), path.join(dir, f));
  const port = await freePort();
  // No update check: npm must not reach the network, nor print anything it was not asked to.
  return { env: cleanEnv({ SCOPEWARD_DATA_DIR: dir, SCOPEWARD_PORT: String(port), SCOPEWARD_LOG_LEVEL: 'info', npm_config_update_notifier: 'false' }), port };
}

/** As from a shell: without the variables npm sets (npx runs these tests). */
async function shellEnv(): Promise<{ env: NodeJS.ProcessEnv; port: number }> {
  const { env, port } = await serverEnv();
  return { env: Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('npm_'))), port };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts `command args` and waits for the banner (and, with workers, for every worker). */
async function start(command: string, args: string[], env: NodeJS.ProcessEnv, serving: number): Promise<{ l: Launched; tree: number[] }> {
  const l = launch(command, args, { env, cwd: ROOT });
  launched.push(l);
  await l.waitFor('Scopeward is listening on', 120_000);
  // The banner comes from the first worker to listen; the others may still be starting.
  const deadline = Date.now() + 60_000;
  let tree = processTree(l.pid);
  while (tree.filter((pid) => commandLine(pid).includes('scopeward')).length < serving && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    tree = processTree(l.pid);
  }
  return { l, tree };
}

/** Signals the outermost process only; every process of the tree must be gone within the bound. */
async function expectTreeGone(l: Launched, tree: number[], port: number, signal: NodeJS.Signals): Promise<void> {
  expect(await accepts(port)).toBe(true);
  process.kill(l.pid, signal);
  const running = await waitUntilEnded(tree, STOP_BOUND_MS);
  expect(running.map((pid) => `${pid} ${commandLine(pid)}`), l.output()).toEqual([]);
  expect(await accepts(port)).toBe(false);
}

const nodeProcesses = (tree: number[]) => tree.filter((pid) => /(^|\/)node /.test(commandLine(pid)) && commandLine(pid).includes('scopeward'));

describe('stopping what started Scopeward stops every process under it', { timeout: 180_000 }, () => {
  it('npm start, SIGTERM to the npm pid: npm and the server are gone, the server shut down cleanly', async () => {
    const { env, port } = await serverEnv();
    const { l, tree } = await start('npm', ['start'], env, 1);
    expect(tree).toHaveLength(2); // npm, and node in its place of the shell (`exec node …`)
    expect(nodeProcesses(tree)).toHaveLength(1);
    await expectTreeGone(l, tree, port, 'SIGTERM');
    expect(l.output()).toContain('"signal":"SIGTERM","msg":"shutting down: finishing in-flight requests"');
    expect(await l.exited).toEqual({ code: 0, signal: null });
  });

  it('npm start -- --workers 2, SIGTERM to the npm pid: npm, the primary and both workers are gone', async () => {
    const { env, port } = await serverEnv();
    const { l, tree } = await start('npm', ['start', '--', '--workers', '2'], env, 3);
    expect(nodeProcesses(tree)).toHaveLength(3);
    await expectTreeGone(l, tree, port, 'SIGTERM');
    expect(l.output()).toContain('"msg":"shutting down: stopping the workers"');
  });

  it('npm start, SIGINT to the npm pid (as a terminal would send, but to npm alone)', async () => {
    const { env, port } = await serverEnv();
    const { l, tree } = await start('npm', ['start'], env, 1);
    await expectTreeGone(l, tree, port, 'SIGINT');
    expect(l.output()).toContain('"signal":"SIGINT","msg":"shutting down: finishing in-flight requests"');
  });

  it('npm start, SIGKILL to the npm pid (nothing can be forwarded): the orphaned server stops itself', async () => {
    const { env, port } = await serverEnv();
    const { l, tree } = await start('npm', ['start'], env, 1);
    await expectTreeGone(l, tree, port, 'SIGKILL');
  });

  // `npx scopeward serve` is npm exec, a shell, and bin/scopeward.js (its shebang execs node): the
  // same layers as below. (npx of the checkout's own bin first installs it into npm's npx cache,
  // building the whole project: too slow and too much of a side effect for a test.)
  it('npm exec (npx), SIGTERM to the npm pid: the shell in between dies without forwarding; the server stops itself', async () => {
    const { env, port } = await serverEnv();
    const { l, tree } = await start('npm', ['exec', '--', 'node', 'bin/scopeward.js', 'serve'], env, 1);
    expect(tree.map(commandLine)).toContainEqual("sh -c 'node' bin/scopeward.js serve");
    await expectTreeGone(l, tree, port, 'SIGTERM');
  });

  it('started from a shell (not npm), a server whose parent goes away keeps serving: nohup and disown mean that', async () => {
    const { env, port } = await shellEnv();
    const { l, tree } = await start('sh', ['-c', `"${process.execPath}" "${BIN}" serve & wait`], env, 1);
    const server = nodeProcesses(tree)[0]!;
    orphans.push(server);
    process.kill(l.pid, 'SIGKILL');
    // (Not l.exited: that waits for the output pipes, which the orphan still holds.)
    expect(await waitUntilEnded([l.pid], STOP_BOUND_MS)).toEqual([]);
    // Four times the interval at which a server started by npm would notice.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await accepts(port)).toBe(true);
    process.kill(server, 'SIGTERM');
    expect(await waitUntilEnded([server], STOP_BOUND_MS)).toEqual([]);
  });

  // The re-run only happens on a system Node older than 24; where there is none it cannot be tested.
  const systemNode = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => existsSync(p) && Number(spawnSync(p, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).stdout) < 24);

  it.skipIf(!systemNode)('node bin/scopeward.js serve on an older system Node, SIGTERM to it: the re-run on Node 24 stops too, exit 0', async () => {
    const { env, port } = await shellEnv();
    const { l, tree } = await start(systemNode!, [BIN, 'serve'], env, 2);
    expect(tree).toHaveLength(2);
    await expectTreeGone(l, tree, port, 'SIGTERM');
    expect(await l.exited).toEqual({ code: 0, signal: null });
  });

  it.skipIf(!systemNode)('the same, with SIGKILL to the first process: the re-run notices and stops itself', async () => {
    const { env, port } = await shellEnv();
    const { l, tree } = await start(systemNode!, [BIN, 'serve'], env, 2);
    await expectTreeGone(l, tree, port, 'SIGKILL');
  });
});
