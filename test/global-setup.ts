// Runs once before any test process starts: makes a local CA for end-to-end servers and points
// NODE_EXTRA_CA_CERTS at it, so the official SDKs in the tests trust the real server exactly as
// a user's application would (README: "pointing the SDK at Scopeward").
// It also drops the PostgreSQL test schemas that interrupted runs left behind.
// Each run gets its own directory: several runs share the checkout at once, and a CA replaced
// under a running suite would leave its servers signed by a CA its processes do not trust.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureLocalCa } from '../src/http/tls.ts';
import { dropStaleSchemas } from './helpers/pg.ts';

export default async function setup(): Promise<() => void> {
  // An interrupted run (killed worker, Ctrl-C) leaves its PostgreSQL schemas behind; they go here.
  await dropStaleSchemas();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-e2e-ca-'));
  const { caCertPath } = await ensureLocalCa(dir, new Date());
  process.env.NODE_EXTRA_CA_CERTS = caCertPath;
  process.env.SCOPEWARD_TEST_CA_DIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
