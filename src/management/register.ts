// Mounts Management API routes on Fastify under /api/v2 and attaches, for each one, bearer
// authentication and its scope guard. Authentication runs before body parsing and validation
// (as Auth0's hapi stack does): an anonymous caller learns nothing about the body's shape.
// A route without scopes, or with a scope missing from the catalogue, stops the server at start.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isCurrentUserScope, isManagementScope } from '../domain/scopes.ts';
import { API_PREFIX_PATH } from './paths.ts';
import type { Tenant } from '../domain/tenant.ts';
import type { BearerAuthenticator } from './auth.ts';
import { bearerChallenge } from './auth.ts';
import { ERROR_CODE, ManagementError, TEXT } from './errors.ts';
import type { AuthContext, ManagementDeps, ManagementRoute } from './route.ts';

export const API_PREFIX = API_PREFIX_PATH;

declare module 'fastify' {
  interface FastifyRequest {
    tenant?: Tenant;
    managementAuth?: AuthContext;
  }
}

export function assertRouteScopes(route: ManagementRoute): void {
  const where = `${route.method} ${API_PREFIX}${route.url}`;
  if (route.scopes.length === 0) throw new Error(`${where} declares no scopes`);
  for (const s of route.scopes) {
    if (!isManagementScope(s) && !isCurrentUserScope(s)) throw new Error(`${where} names ${s}, which is not in the scope catalogue`);
  }
}

export function scopesAllow(route: Pick<ManagementRoute, 'scopes' | 'scopeMode'>, granted: ReadonlySet<string>): boolean {
  return route.scopeMode === 'all' ? route.scopes.every((s) => granted.has(s)) : route.scopes.some((s) => granted.has(s));
}

export function checkScopes(route: ManagementRoute, auth: AuthContext, tenant: Tenant): void {
  if (scopesAllow(route, auth.scopes)) return;
  const message = route.scopeMode === 'all' ? TEXT.insufficientScopeAll(route.scopes) : TEXT.insufficientScope(route.scopes);
  throw new ManagementError(403, message, {
    errorCode: ERROR_CODE.insufficientScope,
    headers: { 'www-authenticate': bearerChallenge(tenant.domain, { code: 'insufficient_scope', description: message, scope: route.scopes.join(' ') }) },
  });
}

/** Empty, `null` and `{}` bodies all mean "no body" on routes that take none (spec §1.2). */
function bodyOf(request: FastifyRequest): unknown {
  return request.body === null ? undefined : request.body;
}

export function registerManagementRoutes(app: FastifyInstance, routes: readonly ManagementRoute[], deps: ManagementDeps, authenticator: BearerAuthenticator): void {
  for (const route of routes) {
    assertRouteScopes(route);
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
        description: `Scopes: ${route.scopes.join(route.scopeMode === 'all' ? ' and ' : ', ')}`,
        security: [{ bearer: [...route.scopes] }],
      },
      config: { family: 'management', scopes: route.scopes },
      async onRequest(request) {
        const tenant = request.tenant!;
        // RFC 6750 §2: the Management API takes the token in the header only. A token also in the
        // query is two ways of presenting one (§3.1: invalid_request); one only there is no token.
        if ((request.query as Record<string, unknown>).access_token !== undefined && request.headers.authorization !== undefined) {
          throw new ManagementError(400, TEXT.tokenTwice, { headers: { 'www-authenticate': bearerChallenge(tenant.domain, { code: 'invalid_request' }) } });
        }
        const auth = await authenticator.authenticate(tenant, request.headers.authorization);
        checkScopes(route, auth, tenant);
        request.managementAuth = auth;
      },
      // A PATCH sent with no body changes nothing (spec §1.2: empty and null bodies are "no body").
      ...(route.method === 'PATCH' && {
        async preValidation(request: FastifyRequest) {
          if (request.body === undefined || request.body === null) request.body = {};
        },
      }),
      async handler(request, reply) {
        const result = await route.handler({
          tenant: request.tenant!,
          auth: request.managementAuth!,
          params: request.params,
          query: request.query,
          body: (route.schema.body ? bodyOf(request) : undefined),
          deps,
        });
        reply.code(result.status);
        if (result.json !== undefined) return reply.type('application/json; charset=utf-8').send(result.json);
        if (result.body === undefined) return reply.send();
        return reply.type('application/json; charset=utf-8').send(JSON.stringify(result.body));
      },
    });
  }
}
