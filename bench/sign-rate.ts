// The ceiling for issuing: how many RS256 signatures (RSASSA-PKCS1-v1_5, SHA-256, 2048-bit key)
// bare node:crypto makes per second on one core, in a tight loop for a fixed time (argv[2]
// seconds) after a short warm-up. The signing input has the size of a real access token's
// header.payload. Prints one JSON line.
import { generateKeyPairSync, sign } from 'node:crypto';
import { performance } from 'node:perf_hooks';

export interface SignRate {
  signatures: number;
  seconds: number;
  /** Signatures per wall-clock second. */
  rate: number;
  /** Signatures per second of CPU time this process got (equal to rate on a quiet machine). */
  cpuRate: number;
}

const seconds = Number(process.argv[2] ?? '5');
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const input = Buffer.from(
  `${b64({ alg: 'RS256', typ: 'JWT', kid: 'k'.repeat(22) })}.${b64({
    iss: 'https://localhost:8443/',
    sub: `${'c'.repeat(32)}@clients`,
    aud: 'https://localhost:8443/api/v2/',
    iat: now,
    exp: now + 86400,
    scope: 'read:clients',
    gty: 'client-credentials',
    azp: 'c'.repeat(32),
    jti: 'j'.repeat(22),
  })}`,
  'ascii',
);

function loop(ms: number): number {
  let count = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 16; i++) sign('sha256', input, privateKey);
    count += 16;
  }
  return count;
}

loop(500);
const start = performance.now();
const cpuStart = process.cpuUsage();
const signatures = loop(seconds * 1000);
const cpu = process.cpuUsage(cpuStart);
const elapsed = (performance.now() - start) / 1000;
const result: SignRate = { signatures, seconds: elapsed, rate: signatures / elapsed, cpuRate: signatures / ((cpu.user + cpu.system) / 1e6) };
process.stdout.write(`${JSON.stringify(result)}\n`);
