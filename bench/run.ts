// `npm run bench`: the load benchmark of the issue. Servers are pinned to CPU 0 and the load
// generator (autocannon, in its own process) to CPU 1; everything runs on 127.0.0.1; each
// scenario runs BENCH_RUNS times for BENCH_DURATION seconds, interleaved with the other scenarios
// of its group, and the medians are reported. See bench/README.md for how to read the output.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { peekJwt, requestJson, type Endpoint } from './lib/http.ts';
import { freePort, installExitCleanup, removeTempDirs, rssBytes, runNodeJson, sleep, stopAll, trackTempDir, childPids, type Child } from './lib/proc.ts';
import { evaluateTargets, machine, median, render, writeJson, type RssReport, type ScenarioResult, type TransportReport } from './lib/report.ts';
import { clientsScenario, introspectScenario, processTree, runScenarios, tokenScenario } from './lib/scenarios.ts';
import { initScopeward, prepareTls, seed, startCeiling, startOidcProvider, startScopeward, type InitResult, type Seeded, type Transport } from './lib/servers.ts';
import { CPUS, cpuLabel, estimateSeconds, measuresWorkers, pinTo, readSettings, type Settings } from './lib/settings.ts';
import type { SignRate } from './sign-rate.ts';

const BENCH = import.meta.dirname;
const settings: Settings = readSettings();
const t0 = Date.now();
const elapsed = (): string => `[${Math.round((Date.now() - t0) / 1000)} s]`;
const pinned = (set: string): { cpus?: string } => {
  const cpus = pinTo(settings, set);
  return cpus ? { cpus } : {};
};

/** One real request of each kind, checked, before any load: a wrong setup must not be measured. */
async function getToken(e: Endpoint, fields: Record<string, string>, audience: string, who: string): Promise<string> {
  const { access_token } = await requestJson<{ access_token: string }>(e, 'POST', '/oauth/token', { form: fields });
  const { header, payload } = peekJwt(access_token);
  if (header.alg !== 'RS256' || payload.aud !== audience || payload.scope !== 'read:clients') {
    throw new Error(`${who} issued an unexpected token: ${JSON.stringify({ header, payload })}`);
  }
  return access_token;
}

/** The introspection the scenario repeats answers active, for the token's own client (issue 15). */
async function checkIntrospection(e: Endpoint, fields: Record<string, string>): Promise<void> {
  const answer = await requestJson<{ active?: boolean }>(e, 'POST', '/oauth/introspect', { form: fields });
  if (answer.active !== true) throw new Error(`POST /oauth/introspect answered ${JSON.stringify(answer)}, expected an active token`);
}

async function checkClients(e: Endpoint, token: string, atLeast: number): Promise<void> {
  const list = await requestJson<unknown[]>(e, 'GET', '/api/v2/clients', { headers: { authorization: `Bearer ${token}` } });
  if (!Array.isArray(list) || list.length < atLeast) throw new Error(`GET /api/v2/clients returned ${Array.isArray(list) ? list.length : typeof list} clients, expected at least ${atLeast}`);
}

/** A few requests, then a couple of idle seconds, as the issue asks before reading VmRSS. */
async function warmThenIdle(calls: (() => Promise<unknown>)[]): Promise<void> {
  for (let i = 0; i < 20; i++) for (const call of calls) await call();
  await sleep(2000);
}

async function waitForWorkers(server: Child, n: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (childPids(server.pid).length < n) {
    if (Date.now() > deadline || !server.running()) throw new Error(`${server.name}: ${n} workers did not start:\n${server.output()}`);
    await sleep(100);
  }
  // The banner comes from the first worker; give the others a moment to take the listening handle.
  await sleep(1500);
}

interface Context {
  dataDir: string;
  ourPort: number;
  theirPort: number;
  ceilingPort: number;
  /** The second Scopeward, on both CPUs, for the pinned/unpinned comparison. */
  unpinnedPort: number;
  init: InitResult;
  tls?: { caPem: string; oidcCertFile: string; keyFile: string };
  seeded?: Seeded;
}

async function benchTransport(transport: Transport, ctx: Context): Promise<TransportReport> {
  const ca = transport === 'https' ? { ca: ctx.tls!.caPem } : {};
  const ours: Endpoint = { scheme: transport, port: ctx.ourPort, ...ca };
  const theirs: Endpoint = { scheme: transport, port: ctx.theirPort, ...ca };
  const rss: RssReport = {};
  const results: ScenarioResult[] = [];
  const one = CPUS.server;
  console.log(`\n${elapsed()} ${transport}: Scopeward (1 process) and oidc-provider, both on cpu ${cpuLabel(settings, one)}; autocannon on cpu ${cpuLabel(settings, CPUS.load)}`);

  let server = await startScopeward({ dataDir: ctx.dataDir, port: ctx.ourPort, transport, workers: 1, ...pinned(one) });
  let oidc: Child | undefined;
  let ceiling: Child | undefined;
  let free: Child | undefined;
  const freeEndpoint: Endpoint = { scheme: transport, port: ctx.unpinnedPort, hostPort: ctx.ourPort, ...ca };
  try {
    const s = (ctx.seeded ??= await seed(ours, ctx.init, settings.seedClients));
    const oursFields = { grant_type: 'client_credentials', client_id: s.clientId, client_secret: s.clientSecret, audience: s.audience, scope: s.scope };
    // oidc-provider names the API with RFC 8707's `resource` where Auth0 uses `audience`.
    const theirFields = { grant_type: 'client_credentials', client_id: s.clientId, client_secret: s.clientSecret, resource: s.audience, scope: s.scope };
    const tls = transport === 'https' ? { certFile: ctx.tls!.oidcCertFile, keyFile: ctx.tls!.keyFile } : {};
    oidc = await startOidcProvider({ port: ctx.theirPort, clientId: s.clientId, clientSecret: s.clientSecret, audience: s.audience, scope: s.scope, ...tls }, pinTo(settings, one));
    ceiling = await startCeiling({ port: ctx.ceilingPort, ...tls }, pinTo(settings, one));
    const probe: Endpoint = { scheme: transport, port: ctx.ceilingPort, ...ca };

    const token = await getToken(ours, oursFields, s.audience, 'Scopeward');
    await getToken(theirs, theirFields, s.audience, 'oidc-provider');
    await checkClients(ours, token, s.seededClients);
    const introspectFields = { client_id: s.clientId, client_secret: s.clientSecret, token, token_type_hint: 'access_token' };
    await checkIntrospection(ours, introspectFields);
    await warmThenIdle([() => getToken(ours, oursFields, s.audience, 'Scopeward'), () => checkClients(ours, token, 0), () => getToken(theirs, theirFields, s.audience, 'oidc-provider')]);
    rss.scopewardIdle = rssBytes(server.pid);
    rss.oidcProviderIdle = rssBytes(oidc.pid);

    // The same one process free to use both CPUs (the event loop on one, RS256 signatures on
    // libuv's threadpool, src/tokens/jws.ts), on the same database and tenant, measured in the same
    // rounds as the pinned one so the machine's drift hits both alike (issue 13). Only for the
    // transport the targets are judged on; autocannon still runs on cpu 1.
    if (settings.pinned && transport === (settings.transports.includes('http') ? 'http' : settings.transports[0])) {
      free = await startScopeward({ dataDir: ctx.dataDir, port: ctx.unpinnedPort, domainPort: ctx.ourPort, transport, workers: 1, cpus: CPUS.workers });
      await getToken(freeEndpoint, oursFields, s.audience, 'Scopeward on 2 cpus');
    }
    const at = (key: string, label: string, c: Child, cpus: string = one) => ({ key, label, serverCpus: cpus, pids: processTree(c) });
    results.push(
      ...(await runScenarios(settings, transport, [
        tokenScenario(at('scopeward-1-token', 'Scopeward tokens (1 process)', server), ours, oursFields),
        ...(free ? [tokenScenario(at('scopeward-1-unpinned-token', 'Scopeward tokens (1 process, 2 cpus)', free, CPUS.workers), freeEndpoint, oursFields)] : []),
        tokenScenario(at('oidc-provider-token', 'oidc-provider tokens (1 process)', oidc), theirs, theirFields),
        clientsScenario(at('scopeward-1-clients', 'Scopeward GET /api/v2/clients (1 process)', server), ours, token),
        introspectScenario(at('scopeward-1-introspect', 'Scopeward POST /oauth/introspect (1 process)', server), ours, introspectFields),
        tokenScenario(at('ceiling-token', 'ceiling: node:http + signing only', ceiling), probe, oursFields),
      ])),
    );
    await ceiling.stop();
    await free?.stop();
    rss.scopewardAfterLoad = rssBytes(server.pid);
    rss.oidcProviderAfterLoad = rssBytes(oidc.pid);
    await oidc.stop();
    await server.stop();
    if (!measuresWorkers(settings, transport)) return { transport, scenarios: results, rss };

    const shared = settings.pinned ? `contended: autocannon shares cpu ${CPUS.load}` : 'unpinned';
    const w = settings.workers;
    console.log(`${elapsed()} ${transport}: Scopeward --workers ${w} on cpus ${cpuLabel(settings, CPUS.workers)} (${shared})`);
    server = await startScopeward({ dataDir: ctx.dataDir, port: ctx.ourPort, transport, workers: w, ...pinned(CPUS.workers) });
    await waitForWorkers(server, w);
    await warmThenIdle([() => getToken(ours, oursFields, s.audience, 'Scopeward'), () => checkClients(ours, token, s.seededClients)]);
    rss.scopewardWorkersIdle = processTree(server)().reduce((sum, pid) => sum + (rssBytes(pid) ?? 0), 0);
    const cluster = (key: string, label: string) => ({ key, label, serverCpus: CPUS.workers, pids: processTree(server) });
    results.push(
      ...(await runScenarios(settings, transport, [
        tokenScenario(cluster(`scopeward-${w}-token`, `Scopeward tokens (--workers ${w})`), ours, oursFields),
        clientsScenario(cluster(`scopeward-${w}-clients`, `Scopeward GET /api/v2/clients (--workers ${w})`), ours, token),
      ])),
    );
    return { transport, scenarios: results, rss };
  } finally {
    await free?.stop();
    await ceiling?.stop();
    await oidc?.stop();
    await server.stop();
  }
}

async function main(): Promise<void> {
  installExitCleanup();
  const startedAt = new Date();
  const host = machine();
  const s = settings;
  if (!s.pinned) console.warn('WARNING: `taskset` is missing or CPUs 0 and 1 are not both available: running UNPINNED; server and load generator share every core.');
  console.log(`bench: ${s.runs} run(s) x ${s.duration} s, ${s.connections} connections, warm-up ${s.warmup} s, transports ${s.transports.join(', ')}; about ${estimateSeconds(s)} s`);
  console.log(`machine: ${String(host.cpuModel)}, ${String(host.cpus)} cpus, load average ${JSON.stringify(host.loadAverageAtStart)}`);

  // Measure the compiled build users run after `npm install` (bin/scopeward.js prefers it when fresh).
  const build = spawnSync('npm', ['run', 'build'], { cwd: path.join(BENCH, '..'), encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-bench-'));
  trackTempDir(dataDir);
  try {
    const signRate: SignRate[] = [];
    for (let i = 0; i < s.runs; i++) {
      signRate.push(await runNodeJson<SignRate>('sign-rate', [path.join(BENCH, 'sign-rate.ts'), String(s.signSeconds)], { ...pinned(CPUS.server), timeoutMs: s.signSeconds * 1000 + 60_000 }));
    }
    console.log(`${elapsed()} bare RS256 signing on cpu ${cpuLabel(s, CPUS.server)}: ${signRate.map((r) => Math.round(r.rate)).join(', ')} signatures/s`);

    const ourPort = await freePort();
    const theirPort = await freePort();
    const ceilingPort = await freePort();
    const unpinnedPort = await freePort();
    const ctx: Context = { dataDir, ourPort, theirPort, ceilingPort, unpinnedPort, init: initScopeward(dataDir, ourPort) };
    if (s.transports.includes('https')) ctx.tls = await prepareTls(dataDir);
    const reports: TransportReport[] = [];
    for (const t of s.transports) reports.push(await benchTransport(t, ctx));

    const signMedian = median(signRate.map((r) => r.rate));
    const targets = evaluateTargets(signMedian, reports);
    console.log(`\n${render(signRate, reports, targets)}`);
    const file = writeJson(path.join(BENCH, 'results'), startedAt, {
      startedAt: startedAt.toISOString(),
      seconds: Math.round((Date.now() - t0) / 1000),
      machine: host,
      settings: s,
      cpus: { server: cpuLabel(s, CPUS.server), workers: cpuLabel(s, CPUS.workers), loadGenerator: cpuLabel(s, CPUS.load) },
      signRate: { runs: signRate, median: signMedian, cpuMedian: median(signRate.map((r) => r.cpuRate)), seconds: s.signSeconds },
      transports: reports,
      targets,
    });
    console.log(`\n${elapsed()} results: ${path.relative(process.cwd(), file)}`);
  } finally {
    await stopAll();
    removeTempDirs();
  }
}

await main();
