// S7 / T-OUT-07 (issue 9): idle, silent and slow connections are closed within the configured
// time limits. The landed server kept raw TCP that never sent a TLS hello, and TLS connections that
// never sent a request, open for more than 200 s; with `ulimit -n 200`, 250 such sockets made
// /healthz fail. Here the real server (a child process) runs with short limits set by its flags,
// and real sockets check each kind of idleness: the server must close them (and free their file
// descriptors) no sooner than the limit and no later than the limit plus Node's check granularity
// and a margin for a loaded machine.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import net, { type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';

const HANDSHAKE_MS = 1000;
const HEADERS_MS = 2000;
const REQUEST_MS = 3000;
const KEEP_ALIVE_MS = 1000;
/** Node checks the headers and request deadlines once a second, and adds 1 s to the keep-alive one. */
const GRANULARITY_MS = 1000;
/** A loaded machine may be late; it is never early. */
const SLACK_MS = 3000;

let server: RealServer;

beforeAll(async () => {
  server = await startRealServer({
    args: [
      '--handshake-timeout-seconds', String(HANDSHAKE_MS / 1000),
      '--headers-timeout-seconds', String(HEADERS_MS / 1000),
      '--request-timeout-seconds', String(REQUEST_MS / 1000),
      '--keep-alive-timeout-seconds', String(KEEP_ALIVE_MS / 1000),
    ],
  });
});
afterAll(() => server.cleanup());

interface Tracked {
  socket: Socket;
  received(): string;
  /** When the server closed the connection (performance.now()). */
  closed: Promise<number>;
}

function track(socket: Socket): Tracked {
  let data = '';
  socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
  socket.on('error', () => undefined); // a reset is a close too
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now())));
  return { socket, received: () => data, closed };
}

const rawSocket = (): Promise<Tracked> =>
  new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1', () => resolve(t));
    const t = track(socket);
    socket.once('error', reject);
  });

/** A TLS connection to the server, handshake done, verified against the test CA. */
const tlsSocket = (): Promise<Tracked> =>
  new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: server.port, servername: 'localhost' }, () => resolve(t));
    const t = track(socket);
    socket.once('error', reject);
  });

/** Milliseconds from `start` until the server closed `t`, or undefined if it was still open at limit + slack. */
async function closeDelay(t: Tracked, start: number, limitMs: number): Promise<number | undefined> {
  const giveUp = sleep(Math.max(0, start + limitMs + SLACK_MS - performance.now())).then(() => undefined);
  const at = await Promise.race([t.closed, giveUp]);
  t.socket.destroy();
  return at === undefined ? undefined : at - start;
}

/** Writes `chunk` every 250 ms (a slow client) until the server closes `t`; the close delay as closeDelay. */
async function dripUntilClosed(t: Tracked, chunk: string, start: number, limitMs: number): Promise<number | undefined> {
  const drip = setInterval(() => t.socket.writable && t.socket.write(chunk), 250);
  try {
    return await closeDelay(t, start, limitMs);
  } finally {
    clearInterval(drip);
  }
}

function expectClosedBetween(delay: number | undefined, limitMs: number, granularityMs: number): void {
  expect(delay, 'the server left the connection open').toBeDefined();
  expect(delay!).toBeGreaterThanOrEqual(limitMs - 100);
  expect(delay!).toBeLessThanOrEqual(limitMs + granularityMs + SLACK_MS);
}

const request = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: ${server.domain}\r\n${extra}`;

describe.concurrent('T-OUT-07 (S7): sockets are closed within the configured limits', () => {
  it('plain TCP that never sends a byte to the HTTPS port: closed at the handshake limit', async () => {
    const t = await rawSocket();
    const start = performance.now();
    expectClosedBetween(await closeDelay(t, start, HANDSHAKE_MS), HANDSHAKE_MS, 0);
    expect(t.received()).toBe('');
  });

  it('a TLS ClientHello cut short (half a handshake): closed at the handshake limit', async () => {
    const t = await rawSocket();
    const start = performance.now();
    // A handshake record header announcing 200 bytes, and two of them.
    t.socket.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xc8, 0x01, 0x00]));
    expectClosedBetween(await closeDelay(t, start, HANDSHAKE_MS), HANDSHAKE_MS, 0);
  });

  it('TLS established but no request: 408, then closed at the headers limit', async () => {
    const t = await tlsSocket();
    const start = performance.now();
    expectClosedBetween(await closeDelay(t, start, HEADERS_MS), HEADERS_MS, GRANULARITY_MS);
    expect(t.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('slow headers (one header line every 250 ms, never finished): 408, then closed at the headers limit', async () => {
    const t = await tlsSocket();
    const start = performance.now();
    t.socket.write(request('/healthz'));
    expectClosedBetween(await dripUntilClosed(t, 'X-Drip: 1\r\n', start, HEADERS_MS), HEADERS_MS, GRANULARITY_MS);
    expect(t.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('slow body (a byte every 250 ms of a 1,000-byte body): 408, then closed at the request limit', async () => {
    const t = await tlsSocket();
    const start = performance.now();
    t.socket.write(`POST /oauth/token HTTP/1.1\r\nHost: ${server.domain}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n`);
    expectClosedBetween(await dripUntilClosed(t, 'a', start, REQUEST_MS), REQUEST_MS, GRANULARITY_MS);
    expect(t.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('HTTP keep-alive left idle after an answer: closed at the keep-alive limit', async () => {
    const t = await tlsSocket();
    t.socket.write(request('/healthz', '\r\n'));
    while (!t.received().endsWith('{"status":"ok"}')) await sleep(10);
    expect(t.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(t.received()).toMatch(/\r\nConnection: keep-alive\r\n/i);
    const start = performance.now();
    expectClosedBetween(await closeDelay(t, start, KEEP_ALIVE_MS), KEEP_ALIVE_MS, GRANULARITY_MS);
  });
});

describe('T-OUT-07 (S7): plain HTTP (--http, behind a TLS proxy)', () => {
  let plain: RealServer;
  beforeAll(async () => {
    plain = await startRealServer({ args: ['--http', '--headers-timeout-seconds', String(HEADERS_MS / 1000), '--request-timeout-seconds', String(REQUEST_MS / 1000)] });
  });
  afterAll(() => plain.cleanup());

  it('a connection that never sends a byte: 408, then closed at the headers limit', async () => {
    const t = track(net.connect(plain.port, '127.0.0.1'));
    await new Promise((resolve) => t.socket.once('connect', resolve));
    const start = performance.now();
    expectClosedBetween(await closeDelay(t, start, HEADERS_MS), HEADERS_MS, GRANULARITY_MS);
    expect(t.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });
});

describe('T-OUT-07 (S7): idle sockets cannot exhaust the file descriptors', () => {
  const openFds = (): number => readdirSync(`/proc/${server.pid()}/fd`).length;

  it('with a limit of 200 descriptors, 250 silent sockets are closed in time and /healthz answers again', async () => {
    const before = openFds();
    const limited = spawnSync('prlimit', [`--pid=${server.pid()}`, '--nofile=200:200']);
    expect(limited.status, limited.stderr.toString()).toBe(0);
    const sockets = await Promise.all(Array.from({ length: 250 }, () => rawSocket().catch(() => undefined)));
    // The server is at its limit: the silent sockets hold most of its 200 descriptors.
    await sleep(200);
    expect(openFds()).toBeGreaterThan(before + 100);

    await sleep(HANDSHAKE_MS + SLACK_MS);
    expect(openFds()).toBeLessThanOrEqual(before + 5);
    const health = await fetch(`${server.baseUrl}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    for (const t of sockets) t?.socket.destroy();
  });
});
