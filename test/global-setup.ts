// Runs once before any test process starts: makes a local CA for end-to-end servers and points
// NODE_EXTRA_CA_CERTS at it, so the official SDKs in the tests trust the real server exactly as
// a user's application would (README: "pointing the SDK at Scopeward").
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ensureLocalCa } from '../src/http/tls.ts';

export default async function setup(): Promise<() => void> {
  const dir = path.resolve(import.meta.dirname, '..', 'test-results', 'e2e-ca');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { caCertPath } = await ensureLocalCa(dir, new Date());
  process.env.NODE_EXTRA_CA_CERTS = caCertPath;
  process.env.SCOPEWARD_TEST_CA_DIR = dir;
  return () => undefined;
}
