// Bad logins from one loopback address against the real server, run as a child process
// (`node login-flood.ts '<json options>'`) so that the attacker's sockets and TLS work do not share
// the test's event loop: what the test times is the server, as a client elsewhere would see it.
// Starts a login transaction at `authorize` (a path with query), then sends `count` wrong
// passwords with `concurrency` connections, each for another account (with `sustain`, goes on
// until `stop` arrives on stdin); prints `under way` after `signalAfter` answers, then, when done
// and told to stop, one JSON line {sent, answers}, where
// answers counts each distinct "<status> <page>: <message>" (page: `form` for the login page with
// an error, `page` for a plain error page).
import { AddressClient } from './address-client.ts';

export interface FloodOptions {
  domain: string;
  from: string;
  /** GET this (/authorize?…) first: the login transaction every post goes to (failures never end it). */
  authorize: string;
  count: number;
  concurrency: number;
  signalAfter: number;
  sustain?: boolean;
}

export interface FloodResult {
  sent: number;
  answers: Record<string, number>;
}

async function flood(o: FloodOptions): Promise<FloodResult> {
  const client = new AddressClient(o.domain, o.from, { maxSockets: o.concurrency });
  const started = await client.get(o.authorize);
  const state = decodeURIComponent(/[?&]state=([^&]+)/.exec(String(started.headers.location))?.[1] ?? '');
  const answers: Record<string, number> = {};
  let sent = 0;
  let answered = 0;
  let stop = false;
  const stopped = new Promise<void>((resolve) =>
    process.stdin.on('data', (d: Buffer) => {
      if (!d.toString().includes('stop')) return;
      stop = true;
      resolve();
    }),
  );
  const worker = async (): Promise<void> => {
    while (sent < o.count || (o.sustain === true && !stop)) {
      const i = sent++;
      const res = await client.post('/u/login', { state, username: `sprayed-${i}@example.com`, password: `wrong-${i}` });
      const form = /<p class="error" role="alert">([^<]*)<\/p>/.exec(res.body)?.[1];
      const answer = `${res.status} ${form !== undefined ? `form: ${form}` : `page: ${/<p class="sub">([^<]*)<\/p>/.exec(res.body)?.[1] ?? ''}`}`;
      answers[answer] = (answers[answer] ?? 0) + 1;
      if (++answered === o.signalAfter) process.stdout.write('under way\n');
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  await stopped;
  client.close();
  return { sent, answers };
}

if (process.argv[2] !== undefined) {
  const result = await flood(JSON.parse(process.argv[2]) as FloodOptions);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.stdin.destroy();
}
