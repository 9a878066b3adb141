// A local log stream receiver (issue 13 tests): an HTTP server on 127.0.0.1 that records every
// request and answers as told: 200, an error status, or nothing at all (a receiver that hangs).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export type ReceiverMode = { kind: 'ok' } | { kind: 'status'; status: number } | { kind: 'hang' };

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** What the receiver answered (undefined: it hung). */
  answered: number | undefined;
}

export interface LogReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** How to answer the next requests. */
  mode: ReceiverMode;
  /** The most requests that were open at the same moment. */
  maxConcurrent: number;
  /** Events (`{log_id, data}`) taken by a 2xx answer, in the order received, duplicates included. */
  accepted(): { log_id: string; data: Record<string, unknown> }[];
  /** Accepted log ids in first-receipt order, without duplicates. */
  acceptedIds(): string[];
  close(): Promise<void>;
}

/** The events a request body carries, whatever the content format. */
export function eventsOf(body: string): { log_id: string; data: Record<string, unknown> }[] {
  const trimmed = body.trim();
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as { log_id: string; data: Record<string, unknown> }[];
  return trimmed.split('\n').map((line) => JSON.parse(line) as { log_id: string; data: Record<string, unknown> });
}

export async function startLogReceiver(mode: ReceiverMode = { kind: 'ok' }): Promise<LogReceiver> {
  const hanging = new Set<() => void>();
  let open = 0;
  const receiver: LogReceiver = {
    url: '',
    requests: [],
    mode,
    maxConcurrent: 0,
    accepted: () => receiver.requests.filter((r) => r.answered !== undefined && r.answered < 300).flatMap((r) => eventsOf(r.body)),
    acceptedIds: () => [...new Set(receiver.accepted().map((e) => e.log_id))],
    close: async () => {
      for (const end of hanging) end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    open++;
    receiver.maxConcurrent = Math.max(receiver.maxConcurrent, open);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const record: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered: undefined };
      receiver.requests.push(record);
      const m = receiver.mode;
      if (m.kind === 'hang') {
        const end = () => {
          hanging.delete(end);
          open--;
          res.destroy();
        };
        hanging.add(end);
        res.on('close', end);
        return;
      }
      const status = m.kind === 'ok' ? 200 : m.status;
      record.answered = status;
      open--;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  receiver.url = `http://127.0.0.1:${port}/api/logs`;
  return receiver;
}

/** Polls `condition` until it holds (generous: the machine is loaded), else fails with `what`. */
export async function waitUntil(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
