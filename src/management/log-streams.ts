// /api/v2/log-streams (issue 13): Auth0's `http` log streams ("Custom Webhook"). The sink's
// Authorization and custom headers are sealed at rest and shown as Auth0 shows them (the
// Authorization only to read:log_streams, and every such read is logged as mgmt_api_read).
// Delivery is the worker's (audit/log-stream-delivery.ts); docs/log-streams.md has the design.
import { Type } from 'typebox';
import { isoNow } from '../domain/clock.ts';
import { newLogStreamId } from '../domain/ids.ts';
import { openStreamSecrets, sealStreamSecrets } from '../domain/log-stream-secrets.ts';
import { IdParam } from '../schemas/common.ts';
import { LogStream, LogStreamCreate, LogStreamUpdate, type LogStreamHttpSink } from '../schemas/log-stream.ts';
import type { LogStreamData, LogStreamRecord, LogStreamSecrets } from '../storage/ports.ts';
import { badRequest, ERROR_CODE, notFound, TEXT } from './errors.ts';
import { route, type ManagementDeps } from './route.ts';
import type { SecretField } from './secret-fields.ts';
import type { Envelope } from '../crypto/envelope.ts';

const TAG = 'Log Streams';
/** Streams per tenant: every event is queued once per stream (Scopeward's bound). */
export const MAX_LOG_STREAMS = 10;
const DEFAULT_NAME = 'Custom Webhook';

/** A stream as Auth0 answers it: id, name, type, status, sink, then the optional settings. */
export function renderLogStream(r: LogStreamRecord, envelope: Envelope, secrets: ReadonlySet<SecretField>): Record<string, unknown> {
  const hidden = openStreamSecrets(envelope, r.tenantId, r.id, r.sinkSecretsSealed);
  const sink: LogStreamHttpSink = {
    ...r.data.sink,
    ...(hidden.httpAuthorization !== undefined && secrets.has('httpAuthorization') && { httpAuthorization: hidden.httpAuthorization }),
    ...(hidden.httpCustomHeaders !== undefined && { httpCustomHeaders: hidden.httpCustomHeaders }),
  };
  return {
    id: r.id,
    name: r.name,
    type: r.data.type,
    status: r.status,
    sink,
    ...(r.data.filters !== undefined && { filters: r.data.filters }),
    ...(r.data.isPriority !== undefined && { isPriority: r.data.isPriority }),
    ...(r.data.pii_config !== undefined && { pii_config: r.data.pii_config }),
  };
}

/** The endpoint is operator-set (a Management API scope): any http(s) host, loopback and private ones included (docs/log-streams.md). */
function checkEndpoint(endpoint: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw badRequest(TEXT.logStreamEndpoint);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badRequest(TEXT.logStreamEndpoint);
  // Credentials in the URL would be stored and shown in plain text: they belong in httpAuthorization.
  if (url.username !== '' || url.password !== '') throw badRequest(TEXT.logStreamEndpointCredentials);
}

/** Headers the HTTP client sets itself (framing, connection): a stream naming one could never deliver. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect', 'proxy-connection']);

function checkHeaders(headers: LogStreamSecrets['httpCustomHeaders']): void {
  const reserved = headers?.find((h) => RESERVED_HEADERS.has(h.header.toLowerCase()));
  if (reserved) throw badRequest(TEXT.logStreamHeader(reserved.header));
}

function checkPii(data: Pick<LogStreamData, 'pii_config'>): void {
  if (data.pii_config?.method === 'hash') throw badRequest(TEXT.logStreamPiiHash);
}

/** The sink split into what is stored in the clear and what is sealed. */
function splitSink(sink: Partial<LogStreamHttpSink>): { open: Partial<LogStreamData['sink']>; secrets: LogStreamSecrets } {
  const { httpAuthorization, httpCustomHeaders, ...open } = sink;
  return { open, secrets: { ...(httpAuthorization !== undefined && { httpAuthorization }), ...(httpCustomHeaders !== undefined && { httpCustomHeaders }) } };
}

async function load(deps: ManagementDeps, tenantId: string, id: string): Promise<LogStreamRecord> {
  const record = await deps.storage.logStreams.get(tenantId, id);
  if (!record) throw notFound(TEXT.logStreamNotFound, ERROR_CODE.inexistentLogStream);
  return record;
}

const list = route({
  method: 'GET',
  url: '/log-streams',
  summary: 'Get log streams',
  tag: TAG,
  scopes: ['read:log_streams'],
  schema: { response: { 200: Type.Array(LogStream) } },
  async handler(ctx) {
    const streams = await ctx.deps.storage.logStreams.list(ctx.tenant.id);
    return { status: 200, body: streams.map((s) => renderLogStream(s, ctx.deps.envelope, ctx.secrets)) };
  },
});

const get = route({
  method: 'GET',
  url: '/log-streams/:id',
  summary: 'Get log stream by ID',
  tag: TAG,
  scopes: ['read:log_streams'],
  schema: { params: IdParam, response: { 200: LogStream } },
  async handler(ctx) {
    return { status: 200, body: renderLogStream(await load(ctx.deps, ctx.tenant.id, ctx.params.id), ctx.deps.envelope, ctx.secrets) };
  },
});

const create = route({
  method: 'POST',
  url: '/log-streams',
  summary: 'Create a log stream',
  tag: TAG,
  scopes: ['create:log_streams'],
  // Auth0's answer carries the sink as created, Authorization included.
  reveals: ['httpAuthorization'],
  schema: { body: LogStreamCreate, response: { 200: LogStream } },
  async handler(ctx) {
    const b = ctx.body;
    const { storage, envelope, clock } = ctx.deps;
    checkEndpoint(b.sink.httpEndpoint);
    checkHeaders(b.sink.httpCustomHeaders);
    let startFrom: string | undefined;
    if (b.startFrom !== undefined) {
      const at = Date.parse(b.startFrom);
      if (Number.isNaN(at)) throw badRequest(TEXT.logStreamStartFrom);
      startFrom = new Date(at).toISOString();
    }
    const sink = splitSink(b.sink);
    const data: LogStreamData = {
      type: 'http',
      sink: sink.open as LogStreamData['sink'],
      ...(b.filters !== undefined && { filters: b.filters }),
      ...(b.isPriority !== undefined && { isPriority: b.isPriority }),
      ...(b.pii_config !== undefined && { pii_config: b.pii_config }),
    };
    checkPii(data);
    if ((await storage.logStreams.list(ctx.tenant.id)).length >= MAX_LOG_STREAMS) throw badRequest(TEXT.logStreamLimit(MAX_LOG_STREAMS));
    const id = newLogStreamId();
    const now = isoNow(clock);
    const record: LogStreamRecord = {
      tenantId: ctx.tenant.id,
      id,
      name: b.name ?? DEFAULT_NAME,
      status: 'active',
      data,
      sinkSecretsSealed: sealStreamSecrets(envelope, ctx.tenant.id, id, sink.secrets),
      createdAt: now,
      updatedAt: now,
      delivery: { failures: 0, failingSince: null, nextAttemptAt: null, lastError: null, lastDeliveredLogId: null },
    };
    await storage.logStreams.create(record, startFrom);
    return { status: 200, body: renderLogStream(record, envelope, ctx.secrets) };
  },
});

const update = route({
  method: 'PATCH',
  url: '/log-streams/:id',
  summary: 'Update a log stream',
  tag: TAG,
  scopes: ['update:log_streams'],
  reveals: ['httpAuthorization'],
  schema: { params: IdParam, body: LogStreamUpdate, response: { 200: LogStream } },
  async handler(ctx) {
    const b = ctx.body;
    const { storage, envelope, clock } = ctx.deps;
    const record = await load(ctx.deps, ctx.tenant.id, ctx.params.id);
    // Sink fields given replace the stream's; those left out stay (the secrets included).
    const given = b.sink ? splitSink(b.sink) : undefined;
    const data: LogStreamData = {
      ...record.data,
      sink: { ...record.data.sink, ...given?.open },
      ...(b.filters !== undefined && { filters: b.filters }),
      ...(b.isPriority !== undefined && { isPriority: b.isPriority }),
      ...(b.pii_config !== undefined && { pii_config: b.pii_config }),
    };
    if (given?.open.httpEndpoint !== undefined) checkEndpoint(given.open.httpEndpoint);
    checkHeaders(given?.secrets.httpCustomHeaders);
    checkPii(data);
    const secrets = given && Object.keys(given.secrets).length > 0 ? { ...openStreamSecrets(envelope, record.tenantId, record.id, record.sinkSecretsSealed), ...given.secrets } : undefined;
    const sealed = secrets ? sealStreamSecrets(envelope, record.tenantId, record.id, secrets) : record.sinkSecretsSealed;
    const status = b.status ?? record.status;
    // Back to active, or a new sink: the next attempt starts now, without the failures' backoff.
    const resume = (b.status === 'active' && record.status !== 'active') || (b.sink !== undefined && status === 'active');
    const patched = { name: b.name ?? record.name, status, data, sinkSecretsSealed: sealed, updatedAt: isoNow(clock) };
    if (!(await storage.logStreams.update(record.tenantId, record.id, patched, resume))) throw notFound(TEXT.logStreamNotFound, ERROR_CODE.inexistentLogStream);
    return { status: 200, body: renderLogStream({ ...record, ...patched }, envelope, ctx.secrets) };
  },
});

const remove = route({
  method: 'DELETE',
  url: '/log-streams/:id',
  summary: 'Delete log stream',
  tag: TAG,
  scopes: ['delete:log_streams'],
  schema: { params: IdParam },
  async handler(ctx) {
    if (!(await ctx.deps.storage.logStreams.remove(ctx.tenant.id, ctx.params.id))) throw notFound(TEXT.logStreamNotFound, ERROR_CODE.inexistentLogStream);
    return { status: 204, contentType: 'application/json; charset=utf-8' };
  },
});

export const logStreamRoutes = [list, create, get, update, remove];
