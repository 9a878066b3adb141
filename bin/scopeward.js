#!/usr/bin/env node
// Entry point of the `scopeward` command. Scopeward runs on the Node.js 24 that `npm install`
// brings (the `node` package); when this file is started by an older system Node, it re-runs
// itself on that one, so `npx scopeward` and `./bin/scopeward.js` both work.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const major = Number(process.versions.node.split('.')[0]);

if (major < 24) {
  const pinned = path.join(here, '..', 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(pinned)) {
    process.stderr.write(`scopeward needs Node.js 24 or newer (this is ${process.version}); run npm install first.\n`);
    process.exit(1);
  }
  const child = spawn(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  const { main } = await import('../src/cli/index.ts');
  await main(process.argv);
}
