// Mounts Management API routes on Fastify under /api/v2 and attaches, for each one, bearer
// authentication and its scope guard. Authentication runs before body parsing and validation
// (as Auth0's hapi stack does): an anonymous caller learns nothing about the body's shape.
// A route without scopes, or with a scope missing from the catalogue, stops the server at start.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { actsForUser, heldCurrentUserScopes, isSameUser } from '../domain/current-user.ts';
import { PasswordHasher } from '../domain/passwords.ts';
import { isCurrentUserScope, isManagementScope } from '../domain/scopes.ts';
import { API_PREFIX_PATH } from './paths.ts';
import type { Tenant } from '../domain/tenant.ts';
import type { RequestOrigin } from '../audit/audit-log.ts';
import type { BearerAuthenticator } from './auth.ts';
import { bearerChallenge } from './auth.ts';
import { ERROR_CODE, ManagementError, TEXT } from './errors.ts';
import { callerOf, type AuthContext, type ConfinedRequest, type Confinement, type ManagementDeps, type ManagementRoute } from './route.ts';
import { ipKey, rateLimitHeaders, type WindowRule } from '../ratelimit/limiter.ts';
import { refusalReason } from './refusal-reason.ts';
import { routeSecrets } from './secret-fields.ts';

export const API_PREFIX = API_PREFIX_PATH;

/** What a route whose answers cannot carry secrets lets any call see. */
const NO_SECRETS: ReadonlySet<never> = new Set();

const AUTH: unique symbol = Symbol('scopeward.managementAuth');

declare module 'fastify' {
  interface FastifyRequest {
    /** The call's verified token: set by the route's first hook; reading it before throws. */
    managementAuth: AuthContext;
    [AUTH]: AuthContext | null;
    /** Set when the call was admitted only through a current-user scope. */
    confinement: Confinement | undefined;
  }
}

/** The request decorators of Management API calls, on the context that serves them. */
function decorateRequests(app: FastifyInstance): void {
  app.decorateRequest(AUTH, null);
  app.decorateRequest('managementAuth', {
    getter(this: FastifyRequest): AuthContext {
      const auth = this[AUTH];
      if (auth === null) throw new Error('request.managementAuth read before the call authenticated');
      return auth;
    },
    setter(this: FastifyRequest, auth: AuthContext) {
      this[AUTH] = auth;
    },
  });
  app.decorateRequest('confinement', undefined);
}

export function assertRouteScopes(route: ManagementRoute): void {
  const where = `${route.method} ${API_PREFIX}${route.url}`;
  if (route.scopes.length === 0) throw new Error(`${where} declares no scopes`);
  for (const s of route.scopes) {
    if (!isManagementScope(s) && !isCurrentUserScope(s)) throw new Error(`${where} names ${s}, which is not in the scope catalogue`);
  }
  const cu = route.currentUser;
  if (!cu) return;
  if (cu.scopes.length === 0) throw new Error(`${where} declares current-user access without scopes`);
  for (const s of cu.scopes) if (!isCurrentUserScope(s)) throw new Error(`${where} names ${s} as a current-user scope, which it is not`);
  if (typeof cu.user === 'object' && 'param' in cu.user && !route.url.split('/').includes(`:${cu.user.param}`)) {
    throw new Error(`${where} confines current-user calls by :${cu.user.param}, which is not in its path`);
  }
}

export function scopesAllow(route: Pick<ManagementRoute, 'scopes' | 'scopeMode'>, granted: ReadonlySet<string>): boolean {
  return route.scopeMode === 'all' ? route.scopes.every((s) => granted.has(s)) : route.scopes.some((s) => granted.has(s));
}

function insufficientScope(route: ManagementRoute, auth: AuthContext, tenant: Tenant): ManagementError {
  // The refusal names the scopes that could admit this token: current-user scopes only ever admit
  // a token acting for a user, so a client-credentials token is not told about them.
  const scopes = route.currentUser && actsForUser(auth.token.claims) ? [...route.scopes, ...route.currentUser.scopes] : route.scopes;
  const message = route.scopeMode === 'all' ? TEXT.insufficientScopeAll(scopes) : TEXT.insufficientScope(scopes);
  return new ManagementError(403, message, {
    errorCode: ERROR_CODE.insufficientScope,
    headers: { 'www-authenticate': bearerChallenge(tenant.domain, { code: 'insufficient_scope', description: message, scope: scopes.join(' ') }) },
  });
}

/**
 * Admits the call or throws 403. A token holding one of the route's scopes acts unconfined; one
 * admitted only through a current-user scope (spec §4.2) is confined to its own user: the user
 * the request names must be its `sub` exactly (T-MG-07), or own the object acted on (checked by
 * confirmOwner once the path parameters are validated: an owner look-up reads storage).
 */
export function admitCall(route: ManagementRoute, auth: AuthContext, tenant: Tenant, params: Record<string, string>): Confinement | undefined {
  if (scopesAllow(route, auth.scopes)) return undefined;
  const access = route.currentUser;
  const held = access ? heldCurrentUserScopes(access.scopes, auth.scopes, auth.token.claims) : [];
  if (!access || held.length === 0) throw insufficientScope(route, auth, tenant);
  const confined: Confinement = { userId: auth.subject!, clientId: auth.clientId, scopes: new Set(held) };
  if (typeof access.user === 'object' && 'param' in access.user && !isSameUser(params[access.user.param], confined.userId)) throw new ManagementError(403, TEXT.userMismatch);
  return confined;
}

/** A confined call on an object: its owner must be the token's user; then the body rules, if any. */
async function confirmConfinedCall(route: ManagementRoute, request: ConfinedRequest): Promise<void> {
  const user = route.currentUser?.user;
  if (typeof user === 'object' && 'owner' in user && !isSameUser(await user.owner(request), request.confined.userId)) throw new ManagementError(403, TEXT.userMismatch);
  await route.currentUser?.checkBody?.(request);
}

/** Body and query fields whose values never reach the tenant log. */
// Names that hold secrets: *secret*, *password*, private keys, tokens and codes (link_with is an
// ID token), a log stream's Authorization and custom headers (API keys) — but not settings that
// merely mention tokens (token_lifetime, token_endpoint_auth_method).
const SECRET_FIELD = /secret|password|private|^http(Authorization|CustomHeaders)$|^(access_|id_|refresh_|subject_|actor_)?token$|^link_with$|^code(_verifier)?$|^(client_)?assertion$/i;

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_FIELD.test(k) ? '[redacted]' : redact(v)]));
}

/** Where a call came from, for its tenant-log events (the address a trusted proxy names, or the peer). */
export function originOf(request: FastifyRequest): RequestOrigin {
  return { ip: request.ip, userAgent: request.headers['user-agent'] };
}

/**
 * Tenant log lines for Management API calls (spec §3.5.9): `sapi` for every successful write, with
 * method, path and the body with secrets masked; `mgmt_api_read` for every answer that carried a
 * secret, a write's included (POST /clients, rotate-secret, or a write by a token that may read
 * secrets): the write is logged as `sapi` and the secret it returned as `mgmt_api_read`, so that
 * the secret reads of a tenant are one query, `type:mgmt_api_read`.
 */
function recordSuccess(deps: ManagementDeps, request: FastifyRequest, route: ManagementRoute, status: number, secretsShown: readonly string[]): void {
  if (status >= 400) return;
  const write = route.method !== 'GET';
  const auth = request.managementAuth;
  const event = (type: 'sapi' | 'mgmt_api_read') => ({
    type,
    description: route.summary,
    client: callerOf(auth),
    details: {
      request: {
        method: route.method.toLowerCase(),
        path: request.url.split('?', 1)[0],
        query: redact(request.query),
        ...(type === 'sapi' && request.body !== undefined && { body: redact(request.body) }),
        auth: { strategy: 'jwt', credentials: { jti: auth.token.claims.jti, scopes: [...auth.scopes] } },
      },
      response: { statusCode: status },
    },
  });
  if (write) deps.audit.record(request.tenant, originOf(request), event('sapi'));
  if (secretsShown.length > 0) deps.audit.record(request.tenant, originOf(request), event('mgmt_api_read'));
}

/** A refused call (401/403) is logged as `fapi`, at most ten a minute per address. */
async function recordRefusal(deps: ManagementDeps, tenant: Tenant, request: FastifyRequest, route: ManagementRoute, error: ManagementError): Promise<void> {
  // The client id only from a token that verified (managementAuth is set once it has).
  deps.metrics?.refused('management', refusalReason(error), tenant.id, request[AUTH]?.clientId);
  if (error.statusCode !== 401 && error.statusCode !== 403) return;
  const allowed = await deps.limiter.consume(`${tenant.id}:fapi:${ipKey(request.ip)}`, { limit: 10, window_seconds: 60 });
  if (!allowed.allowed) return;
  deps.audit.record(tenant, originOf(request), {
    type: 'fapi',
    description: error.message,
    details: { request: { method: route.method.toLowerCase(), path: request.url.split('?', 1)[0] }, response: { statusCode: error.statusCode } },
  });
}

async function spend(deps: Pick<ManagementDeps, 'limiter' | 'audit' | 'metrics'>, request: FastifyRequest, reply: FastifyReply, key: string, rule: WindowRule): Promise<void> {
  const tenant = request.tenant;
  const limit = await deps.limiter.consume(key, rule);
  reply.headers(rateLimitHeaders(limit));
  if (limit.allowed) return;
  deps.metrics?.refused('management', 'rate_limited', tenant.id);
  if (limit.firstRefusal) deps.audit.record(tenant, originOf(request), { type: 'api_limit', description: TEXT.rateLimited });
  throw new ManagementError(429, TEXT.rateLimited, { errorCode: ERROR_CODE.tooManyRequests });
}

/**
 * The Management API's per-tenant limit, for calls whose token authenticated (issue 9, S4: nobody
 * without a token of the tenant can spend its budget). Sets x-ratelimit-*, throws 429 past it.
 */
export async function countTenantCall(deps: Pick<ManagementDeps, 'limiter' | 'registry' | 'audit' | 'metrics'>, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const tenant = request.tenant;
  await spend(deps, request, reply, `${tenant.id}:mgmt`, deps.registry.rateLimits(tenant.id).management_api);
}

/**
 * The limit for calls that are nobody's of the tenant's: no token, a token that fails, or a path
 * that names no route. They count against their address (per tenant), so a flood of them is
 * refused with Auth0's 429 while the tenant's own callers, elsewhere, go on (issue 9, S4).
 */
export async function countAddressCall(deps: Pick<ManagementDeps, 'limiter' | 'registry' | 'audit' | 'metrics'>, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const tenant = request.tenant;
  await spend(deps, request, reply, `${tenant.id}:mgmt:anon:${ipKey(request.ip)}`, deps.registry.rateLimits(tenant.id).management_api_unauthenticated_per_ip);
}

/** Empty, `null` and `{}` bodies all mean "no body" on routes that take none (spec §1.2). */
function bodyOf(request: FastifyRequest): unknown {
  return request.body === null ? undefined : request.body;
}

/** What routes need from the app; a password hasher is made here when the app brings none. */
export type RouteDeps = Omit<ManagementDeps, 'passwords'> & { passwords?: PasswordHasher };

export function registerManagementRoutes(app: FastifyInstance, routes: readonly ManagementRoute[], appDeps: RouteDeps, authenticator: BearerAuthenticator): void {
  const deps: ManagementDeps = { ...appDeps, passwords: appDeps.passwords ?? new PasswordHasher() };
  // Every route is checked before anything is mounted: a bad declaration stops the server unchanged.
  for (const route of routes) assertRouteScopes(route);
  decorateRequests(app);
  for (const route of routes) {
    const secrets = routeSecrets(route);
    app.route({
      method: route.method,
      url: `${API_PREFIX}${route.url}`,
      schema: {
        ...(route.schema.params && { params: route.schema.params }),
        ...(route.schema.querystring && { querystring: route.schema.querystring }),
        ...(route.schema.body && { body: route.schema.body }),
        ...(route.schema.response && { response: route.schema.response }),
        summary: route.summary,
        tags: [route.tag],
        description: `Scopes: ${route.scopes.join(route.scopeMode === 'all' ? ' and ' : ', ')}${route.currentUser ? `; for the token's own user: ${route.currentUser.scopes.join(', ')}` : ''}`,
        security: [{ bearer: [...route.scopes, ...(route.currentUser?.scopes ?? [])] }],
      },
      async onRequest(request, reply) {
        const tenant = request.tenant;
        let auth: AuthContext;
        try {
          // RFC 6750 §2: the Management API takes the token in the header only. A token also in the
          // query is two ways of presenting one (§3.1: invalid_request); one only there is no token.
          if ((request.query as Record<string, unknown>).access_token !== undefined && request.headers.authorization !== undefined) {
            throw new ManagementError(400, TEXT.tokenTwice, { headers: { 'www-authenticate': bearerChallenge(tenant.domain, { code: 'invalid_request' }) } });
          }
          auth = await authenticator.authenticate(tenant, request.headers.authorization);
        } catch (error) {
          if (error instanceof ManagementError) {
            // Authentication comes first (a cache hit for a token seen before), so that a call
            // that fails it spends its address's bucket, never the tenant's (issue 9, S4).
            await countAddressCall(deps, request, reply);
            await recordRefusal(deps, tenant, request, route, error);
          }
          throw error;
        }
        request.managementAuth = auth;
        await countTenantCall(deps, request, reply);
        try {
          request.confinement = admitCall(route, auth, tenant, request.params as Record<string, string>);
        } catch (error) {
          if (error instanceof ManagementError) await recordRefusal(deps, tenant, request, route, error);
          throw error;
        }
      },
      // A PATCH sent with no body changes nothing (spec §1.2: empty and null bodies are "no body").
      ...((route.method === 'PATCH' || route.bodyOptional === true) && {
        async preValidation(request: FastifyRequest) {
          if (request.body === undefined || request.body === null) request.body = {};
        },
      }),
      // A confined call, once its parameters and body are validated: the owner of the object it acts
      // on, and what it may put in its body (e.g. PATCH /users/{id}: user_metadata only).
      ...(route.currentUser && {
        async preHandler(request: FastifyRequest) {
          const confined = request.confinement;
          if (!confined) return;
          try {
            await confirmConfinedCall(route, { tenant: request.tenant, params: request.params as Record<string, string>, body: bodyOf(request), confined, deps });
          } catch (error) {
            if (error instanceof ManagementError) await recordRefusal(deps, request.tenant, request, route, error);
            throw error;
          }
        },
      }),
      async handler(request, reply) {
        const auth = request.managementAuth;
        const visible = secrets?.visibleTo(auth) ?? NO_SECRETS;
        const handled = await route.handler({
          tenant: request.tenant,
          auth,
          origin: originOf(request),
          params: request.params,
          query: request.query,
          body: (route.schema.body ? bodyOf(request) : undefined),
          deps,
          confined: request.confinement,
          secrets: visible,
        });
        // The one place the secrets rule is applied (secret-fields.ts), whatever the handler rendered.
        const { reply: result, shown } = secrets ? secrets.guard(handled, visible) : { reply: handled, shown: [] };
        reply.code(result.status);
        if (result.headers) reply.headers(result.headers);
        recordSuccess(deps, request, route, result.status, shown);
        if (result.warning) {
          request.log.warn({ tenant: request.tenant.name }, result.warning);
          reply.header('warning', `299 - "${result.warning.replace(/["\\]/g, '')}"`);
        }
        if (result.json !== undefined) return reply.type('application/json; charset=utf-8').send(result.json);
        if (result.body === undefined) {
          if (result.contentType) reply.header('content-type', result.contentType);
          return reply.send();
        }
        return reply.type('application/json; charset=utf-8').send(JSON.stringify(result.body));
      },
    });
  }
}
