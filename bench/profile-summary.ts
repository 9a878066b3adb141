// Where a server's CPU goes, from a V8 CPU profile (`node --cpu-prof`, as `BENCH_CPU_PROF=DIR npm
// run bench` writes them): self time grouped by where the code lives (Scopeward's folders, each
// dependency, Node's own internals, native code, GC), largest first, as percentages and, given the
// requests the profile covered, as CPU microseconds per request.
//
//   node bench/profile-summary.ts PROFILE.cpuprofile [REQUESTS] [--functions N]
//
// REQUESTS turns shares into µs per request (the bench prints the answered count per run; the
// profile covers warm-up and every run of that server). --functions N also lists the N functions
// with the most self time.
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The group a frame's self time counts for. */
export function groupOf(url: string, name: string): string {
  if (url === '') {
    if (name === '(garbage collector)') return 'GC';
    if (name === '(idle)' || name === '(program)' || name === '(root)') return name;
    return `native: ${name || '(anonymous)'}`;
  }
  if (url.startsWith('node:')) return `node: ${url.slice(5)}`;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return `dep: ${rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const m = /\/(?:dist|src)\/(.+)\.[jt]s$/.exec(url);
  if (m) return `scopeward: ${m[1]}`;
  return `other: ${path.basename(url)}`;
}

export function summarize(profile: Profile): { total: number; groups: Map<string, number>; functions: Map<string, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const groups = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    const { url, functionName, lineNumber } = node.callFrame;
    const group = groupOf(url, functionName);
    total += us;
    groups.set(group, (groups.get(group) ?? 0) + us);
    const fn = `${functionName || '(anonymous)'} ${url ? `${path.basename(url)}:${lineNumber + 1}` : ''}`.trim();
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  });
  return { total, groups, functions };
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args[0];
  if (!file) throw new Error('usage: node bench/profile-summary.ts PROFILE.cpuprofile [REQUESTS] [--functions N]');
  const fnIndex = args.indexOf('--functions');
  const topFunctions = fnIndex >= 0 ? Number(args[fnIndex + 1]) : 0;
  const requests = args[1] && !args[1].startsWith('--') ? Number(args[1]) : undefined;
  const { total, groups, functions } = summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  const busy = total - (groups.get('(idle)') ?? 0);
  const line = (name: string, us: number): string => {
    const share = `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
    const per = requests ? `  ${(us / requests).toFixed(1).padStart(7)} µs/req` : '';
    return `${share}${per}  ${name}`;
  };
  console.log(`busy ${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s sampled${requests ? `; ${requests} requests: ${(busy / requests).toFixed(1)} µs/req` : ''}`);
  for (const [name, us] of [...groups].filter(([n]) => n !== '(idle)').sort((a, b) => b[1] - a[1])) {
    if (us / busy < 0.002) continue;
    console.log(line(name, us));
  }
  if (topFunctions > 0) {
    console.log('\nfunctions by self time:');
    for (const [name, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, topFunctions)) console.log(line(name, us));
  }
}

if (import.meta.main) main();
