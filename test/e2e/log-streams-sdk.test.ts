// Log streams (issue 13) through the real `auth0` SDK (v7) against the real server process:
// ManagementClient.logStreams create, list, get, update and delete; and a stream whose receiver
// is down while the server restarts gets every event once it is back, in log_id order.
import { Management, ManagementClient } from 'auth0';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from '../../src/storage/kysely/index.ts';
import type { Storage } from '../../src/storage/ports.ts';
import { startLogReceiver, waitUntil, type LogReceiver } from '../helpers/log-receiver.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';

let server: RealServer;
let mgmt: ManagementClient;
let receiver: LogReceiver;
let db: Storage;

beforeAll(async () => {
  server = await startRealServer({ args: ['--log-stream-retry-max-seconds', '1', '--log-stream-timeout-seconds', '5'] });
  mgmt = new ManagementClient({ domain: server.domain, clientId: server.init.client_id, clientSecret: server.init.client_secret });
  receiver = await startLogReceiver();
  // A reader of the server's SQLite file (WAL: it reads beside the serving process).
  db = await createStorage(`sqlite:${path.join(server.dataDir, 'scopeward.db')}`, { migrate: false });
});

afterAll(async () => {
  await db?.close();
  await receiver?.close();
  await server?.cleanup();
});

describe('ManagementClient.logStreams (auth0 v7)', () => {
  let id: string;

  it('create: the http stream as Auth0 answers it', async () => {
    const created = await mgmt.logStreams.create({
      type: 'http',
      name: 'Datadog-style webhook',
      sink: { httpEndpoint: receiver.url, httpContentType: 'application/json', httpContentFormat: 'JSONARRAY', httpAuthorization: 'Bearer dd-secret', httpCustomHeaders: [{ header: 'DD-API-KEY', value: 'abc123' }] },
      filters: [{ type: 'category', name: 'management.success' }],
    });
    id = created.id!;
    expect(created).toStrictEqual({
      id: expect.stringMatching(/^lst_\d{16}$/),
      name: 'Datadog-style webhook',
      type: 'http',
      status: 'active',
      sink: { httpEndpoint: receiver.url, httpContentType: 'application/json', httpContentFormat: 'JSONARRAY', httpAuthorization: 'Bearer dd-secret', httpCustomHeaders: [{ header: 'DD-API-KEY', value: 'abc123' }] },
      filters: [{ type: 'category', name: 'management.success' }],
    });
  });

  it('list and get return it', async () => {
    const list = await mgmt.logStreams.list();
    expect(list.map((s) => s.id)).toEqual([id]);
    const one = await mgmt.logStreams.get(id);
    expect(one).toStrictEqual(list[0]);
  });

  it('update: pause and rename', async () => {
    const updated = await mgmt.logStreams.update(id, { status: 'paused', name: 'renamed' });
    expect(updated).toMatchObject({ id, status: 'paused', name: 'renamed' });
    expect(await mgmt.logStreams.get(id)).toMatchObject({ status: 'paused', name: 'renamed' });
  });

  it('a bad body is a BadRequestError; an unknown id a NotFoundError', async () => {
    const bad = await mgmt.logStreams.create({ type: 'http', sink: { httpEndpoint: 'not a url' } }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Management.BadRequestError);
    expect((bad as Management.BadRequestError).statusCode).toBe(400);
    const missing = await mgmt.logStreams.get('lst_0000000000000000').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Management.NotFoundError);
  });

  it('a stream whose receiver fails across a server restart gets every event once it recovers, in log_id order', async () => {
    receiver.mode = { kind: 'status', status: 500 };
    await mgmt.logStreams.update(id, { status: 'active' });
    const tenantId = (await db.tenants.list())[0]!.id;
    // Management API writes are `management.success` events: make some while the receiver fails.
    for (let i = 0; i < 3; i++) await mgmt.clients.create({ name: `before restart ${i}`, app_type: 'non_interactive' });
    await waitUntil('a failed delivery', () => receiver.requests.some((r) => r.answered === 500));
    await server.restart();
    for (let i = 0; i < 2; i++) await mgmt.clients.create({ name: `after restart ${i}`, app_type: 'non_interactive' });
    receiver.mode = { kind: 'ok' };
    const expected = async () => {
      const events = await db.logs.listAfter(tenantId, { or: [{ field: 'type', op: 'eq', value: 'sapi' }, { field: 'type', op: 'eq', value: 'mgmt_api_read' }] }, undefined, 1000);
      // Every one written since the stream exists (its creation's own events first): those made
      // while it was paused waited in its backlog too.
      const resumed = events.findIndex((e) => e.event.description === 'Create a log stream');
      return events.slice(resumed).map((e) => e.logId);
    };
    await waitUntil('the backlog drained', async () => (await db.logStreams.backlog(tenantId, id)) === 0 && receiver.acceptedIds().length >= (await expected()).length, 120_000);
    const want = await expected();
    expect(want.length).toBeGreaterThanOrEqual(15); // its creation, reads and updates, 5 client creations with their secret reads
    expect(receiver.acceptedIds()).toEqual(want);
    for (const r of receiver.requests) {
      expect(r.headers.authorization).toBe('Bearer dd-secret');
      expect(r.headers['dd-api-key']).toBe('abc123');
    }
  });

  it('delete: 204 for the SDK (void), then get is a NotFoundError', async () => {
    await expect(mgmt.logStreams.delete(id)).resolves.toBeUndefined();
    await expect(mgmt.logStreams.get(id)).rejects.toBeInstanceOf(Management.NotFoundError);
    expect(await mgmt.logStreams.list()).toEqual([]);
  });
});
