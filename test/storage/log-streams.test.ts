// LogStreamStore on every dialect (issue 13): the outbox written with the events (every stream of
// the event's tenant, no other), its order, acknowledgement, the cascade on deletion and pruning,
// startFrom, and the lease: one owner at a time, taken over only once it has expired.
import { beforeEach, expect, it } from 'vitest';
import type { LogRecord, LogStreamRecord, TenantRecord } from '../../src/storage/ports.ts';
import { forEachDialect } from '../helpers/dialects.ts';
import { at, seedTenant } from './records.ts';

function logRecord(tenantId: string, n: number, type = 's'): LogRecord {
  const logId = `900${String(n).padStart(53, '0')}`;
  return { tenantId, logId, date: at(n * 60), type, clientId: null, userId: null, ip: null, event: { log_id: logId, type, n } };
}

function stream(tenantId: string, id: string, overrides: Partial<LogStreamRecord> = {}): LogStreamRecord {
  return {
    tenantId,
    id,
    name: id,
    status: 'active',
    data: { type: 'http', sink: { httpEndpoint: 'https://example.com/' } },
    sinkSecretsSealed: null,
    createdAt: at(0),
    updatedAt: at(0),
    delivery: { failures: 0, failingSince: null, nextAttemptAt: null, lastError: null, lastDeliveredLogId: null },
    ...overrides,
  };
}

forEachDialect('LogStreamStore', (storage) => {
  let a: TenantRecord;
  let b: TenantRecord;
  const ids = async (tenantId: string, id: string) => (await storage.logStreams.pending(tenantId, id, 100)).map((e) => (e.event as { n: number }).n);

  beforeEach(async () => {
    a = await seedTenant(storage);
    b = await seedTenant(storage);
    await storage.logStreams.create(stream(a.id, 'lst_a1'));
    await storage.logStreams.create(stream(a.id, 'lst_a2', { status: 'paused' }));
    await storage.logStreams.create(stream(b.id, 'lst_b1'));
  });

  it('an event goes into the backlog of every stream of its tenant (paused ones too), in log_id order, and no other tenant', async () => {
    await storage.logs.insertMany([logRecord(a.id, 3), logRecord(a.id, 1), logRecord(b.id, 2)]);
    await storage.logs.insertMany([logRecord(a.id, 2, 'f')]);
    expect(await ids(a.id, 'lst_a1')).toEqual([1, 2, 3]);
    expect(await ids(a.id, 'lst_a2')).toEqual([1, 2, 3]);
    expect(await ids(b.id, 'lst_b1')).toEqual([2]);
    expect((await storage.logStreams.pending(a.id, 'lst_a1', 2)).map((e) => e.type)).toEqual(['s', 'f']);
    // Writing the same events again (a retried batch) queues nothing twice.
    await storage.logs.insertMany([logRecord(a.id, 3)]);
    expect(await storage.logStreams.backlog(a.id, 'lst_a1')).toBe(3);
  });

  it('acknowledge takes events out and records the success; deleting the stream or pruning the event empties its backlog', async () => {
    await storage.logs.insertMany([1, 2, 3, 4].map((n) => logRecord(a.id, n)));
    await storage.logStreams.recordFailure(a.id, 'lst_a1', { failures: 3, failingSince: at(5), nextAttemptAt: at(9), lastError: 'HTTP 500' }, false);
    const first = (await storage.logStreams.pending(a.id, 'lst_a1', 2)).map((e) => e.logId);
    await storage.logStreams.acknowledge(a.id, 'lst_a1', first, first[1]);
    expect(await ids(a.id, 'lst_a1')).toEqual([3, 4]);
    expect((await storage.logStreams.get(a.id, 'lst_a1'))!.delivery).toStrictEqual({ failures: 0, failingSince: null, nextAttemptAt: null, lastError: null, lastDeliveredLogId: first[1] });
    expect(await storage.logs.prune(at(3 * 60 + 1))).toBe(3);
    expect(await ids(a.id, 'lst_a1')).toEqual([4]);
    expect(await storage.logStreams.remove(a.id, 'lst_a2')).toBe(true);
    expect(await storage.logStreams.backlog(a.id, 'lst_a2')).toBe(0);
    expect(await storage.logStreams.remove(a.id, 'lst_a2')).toBe(false);
  });

  it('startFrom puts the events logged since then into a new stream backlog', async () => {
    await storage.logs.insertMany([1, 2, 3].map((n) => logRecord(a.id, n)));
    await storage.logStreams.create(stream(a.id, 'lst_late'), at(2 * 60));
    expect(await ids(a.id, 'lst_late')).toEqual([2, 3]);
  });

  it('the lease: one owner at a time, renewable by its owner, taken over only after it expires; only active streams', async () => {
    expect(await storage.logStreams.acquire(a.id, 'lst_a1', 'one', at(10), at(70))).toMatchObject({ id: 'lst_a1' });
    expect(await storage.logStreams.acquire(a.id, 'lst_a1', 'two', at(20), at(80))).toBeUndefined();
    expect((await storage.logStreams.listDue(at(20))).map((s) => s.id)).toEqual(['lst_b1']);
    expect(await storage.logStreams.acquire(a.id, 'lst_a1', 'one', at(30), at(90))).toBeDefined();
    expect(await storage.logStreams.acquire(a.id, 'lst_a1', 'two', at(91), at(150))).toBeDefined();
    await storage.logStreams.release(a.id, 'lst_a1', 'one'); // not one's any more: changes nothing
    expect(await storage.logStreams.acquire(a.id, 'lst_a1', 'one', at(100), at(160))).toBeUndefined();
    await storage.logStreams.release(a.id, 'lst_a1', 'two');
    expect(await storage.logStreams.acquire(a.id, 'lst_a1', 'one', at(100), at(160))).toBeDefined();
    expect(await storage.logStreams.acquire(a.id, 'lst_a2', 'one', at(100), at(160))).toBeUndefined(); // paused
  });

  it('listDue waits for next_attempt_at; suspension only from active; resume clears the failures', async () => {
    await storage.logStreams.recordFailure(a.id, 'lst_a1', { failures: 1, failingSince: at(0), nextAttemptAt: at(50), lastError: 'HTTP 502' }, false);
    expect((await storage.logStreams.listDue(at(49))).map((s) => s.id)).toEqual(['lst_b1']);
    expect((await storage.logStreams.listDue(at(50))).map((s) => s.id).sort()).toEqual(['lst_a1', 'lst_b1']);
    await storage.logStreams.recordFailure(a.id, 'lst_a1', { failures: 2, failingSince: at(0), nextAttemptAt: at(60), lastError: 'HTTP 502' }, true);
    expect((await storage.logStreams.get(a.id, 'lst_a1'))!.status).toBe('suspended');
    await storage.logStreams.recordFailure(a.id, 'lst_a2', { failures: 9, failingSince: at(0), nextAttemptAt: at(60), lastError: 'x' }, true);
    expect((await storage.logStreams.get(a.id, 'lst_a2'))!.status).toBe('paused');
    await storage.logStreams.update(a.id, 'lst_a1', { status: 'active' }, true);
    expect((await storage.logStreams.get(a.id, 'lst_a1'))!.delivery).toMatchObject({ failures: 0, failingSince: null, nextAttemptAt: null, lastError: null });
  });
});
