// /api/v2/keys/signing (spec §3.5.8): list, get, rotate (needs create AND update), revoke.
import { Type } from 'typebox';
import { auth0Pem, certFacts } from '../crypto/cert-facts.ts';
import { IdParam } from '../schemas/common.ts';
import type { SigningKeyRecord } from '../storage/ports.ts';
import { KeyNotFound, KeyNotRevocable, revokeSigningKey, rotateSigningKeys, RotationConflict } from '../tokens/rotation.ts';
import { badRequest, conflict, ERROR_CODE, ManagementError, notFound, TEXT } from './errors.ts';
import { callerOf, route } from './route.ts';

const TAG = 'Keys';

export const SigningKey = Type.Object(
  {
    kid: Type.String(),
    cert: Type.String({ description: 'PEM certificate (CRLF line breaks)' }),
    pkcs7: Type.String(),
    current: Type.Boolean(),
    next: Type.Boolean(),
    previous: Type.Boolean(),
    revoked: Type.Boolean(),
    current_since: Type.Optional(Type.String()),
    current_until: Type.Optional(Type.String()),
    revoked_at: Type.Optional(Type.String()),
    fingerprint: Type.String(),
    thumbprint: Type.String(),
  },
  { $id: 'SigningKey' },
);

export function renderKey(r: SigningKeyRecord): Record<string, unknown> {
  const facts = certFacts(r.cert);
  return {
    kid: r.kid,
    cert: auth0Pem(r.cert),
    pkcs7: facts.pkcs7,
    current: r.state === 'current',
    next: r.state === 'next',
    previous: r.state === 'previous' || r.state === 'revoked',
    revoked: r.state === 'revoked',
    ...(r.currentSince && { current_since: r.currentSince }),
    ...(r.currentUntil && { current_until: r.currentUntil }),
    ...(r.revokedAt && { revoked_at: r.revokedAt }),
    fingerprint: facts.fingerprint,
    thumbprint: facts.thumbprint,
  };
}

const ORDER: Record<SigningKeyRecord['state'], number> = { current: 0, next: 1, previous: 2, revoked: 3 };

const list = route({
  method: 'GET',
  url: '/keys/signing',
  summary: 'Get all application signing keys',
  tag: TAG,
  scopes: ['read:signing_keys'],
  schema: { response: { 200: Type.Array(SigningKey) } },
  async handler(ctx) {
    const keys = await ctx.deps.storage.signingKeys.list(ctx.tenant.id);
    const sorted = [...keys].sort((a, b) => ORDER[a.state] - ORDER[b.state] || b.createdAt.localeCompare(a.createdAt));
    return { status: 200, body: sorted.map(renderKey) };
  },
});

const get = route({
  method: 'GET',
  url: '/keys/signing/:kid',
  summary: 'Get an application signing key by its key id',
  tag: TAG,
  scopes: ['read:signing_keys'],
  schema: { params: Type.Object({ kid: IdParam.properties.id }), response: { 200: SigningKey } },
  async handler(ctx) {
    const key = (await ctx.deps.storage.signingKeys.list(ctx.tenant.id)).find((k) => k.kid === ctx.params.kid);
    if (!key) throw notFound(TEXT.keyNotFound, ERROR_CODE.inexistentKey);
    return { status: 200, body: renderKey(key) };
  },
});

const rotate = route({
  method: 'POST',
  url: '/keys/signing/rotate',
  summary: 'Rotate the application signing key',
  tag: TAG,
  scopes: ['create:signing_keys', 'update:signing_keys'],
  scopeMode: 'all',
  schema: { response: { 201: SigningKey } },
  async handler(ctx) {
    // Auth0 allows few rotations a day (security catalogue T-MG-16); the limit is a tenant setting.
    const rule = ctx.deps.registry.rateLimits(ctx.tenant.id).signing_key_rotations;
    const limit = await ctx.deps.limiter.consume(`${ctx.tenant.id}:key_rotation`, rule);
    if (!limit.allowed) {
      // A rate-limit hit is an `api_limit` tenant-log event (issue #3), once per window.
      if (limit.firstRefusal) {
        ctx.deps.audit.record(ctx.tenant, ctx.origin, { type: 'api_limit', description: TEXT.rotationLimited(rule.limit, rule.window_seconds), client: callerOf(ctx.auth) });
      }
      throw new ManagementError(429, TEXT.rotationLimited(rule.limit, rule.window_seconds), {
        errorCode: 'too_many_requests',
        headers: { 'retry-after': String(limit.retryAfter) },
      });
    }
    try {
      const current = await rotateSigningKeys(ctx.deps.storage, ctx.deps.envelope, ctx.tenant, ctx.deps.clock);
      return { status: 201, body: renderKey(current) };
    } catch (error) {
      if (error instanceof RotationConflict) throw conflict(TEXT.rotationConflict, ERROR_CODE.conflict);
      throw error;
    }
  },
});

const revoke = route({
  method: 'PUT',
  url: '/keys/signing/:kid/revoke',
  summary: 'Revoke an application signing key by its key id',
  tag: TAG,
  scopes: ['update:signing_keys'],
  schema: { params: Type.Object({ kid: IdParam.properties.id }), response: { 200: SigningKey } },
  async handler(ctx) {
    try {
      return { status: 200, body: renderKey(await revokeSigningKey(ctx.deps.storage, ctx.tenant.id, ctx.params.kid, ctx.deps.clock)) };
    } catch (error) {
      if (error instanceof KeyNotFound) throw notFound(TEXT.keyNotFound, ERROR_CODE.inexistentKey);
      if (error instanceof KeyNotRevocable) throw badRequest(TEXT.keyNotRevocable, ERROR_CODE.operationNotSupported);
      throw error;
    }
  },
});

export const keyRoutes = [list, get, rotate, revoke];
