// The Management API's plugin (/api/v2): the declared routes (management/register.ts attaches
// authentication, scopes and limits to each), its public OpenAPI document, the answer for a path
// that names no route, and the CORS preflight. Errors answer Auth0's Boom body (errors.ts).
import type { FastifyPluginAsync } from 'fastify';
import type { BearerAuthenticator } from '../management/auth.ts';
import { ManagementError, TEXT } from '../management/errors.ts';
import { OpenApiDocuments } from '../management/openapi.ts';
import { API_PREFIX, countAddressCall, registerManagementRoutes } from '../management/register.ts';
import type { ManagementDeps } from '../management/route.ts';
import { MANAGEMENT_ROUTES } from '../management/routes.ts';
import { preflight } from './cors.ts';
import { jsonErrors } from './errors.ts';
import { publicLimit } from './public-limit.ts';

export interface ManagementApiOptions {
  deps: ManagementDeps;
  authenticator: BearerAuthenticator;
}

export const managementApi: FastifyPluginAsync<ManagementApiOptions> = async (app, { deps, authenticator }) => {
  app.setErrorHandler(jsonErrors);
  registerManagementRoutes(app, MANAGEMENT_ROUTES, deps, authenticator);
  // Public, like Auth0's published spec (the explorer reads it from any origin); a static path,
  // so it wins over the catch-all below.
  const openApi = new OpenApiDocuments(MANAGEMENT_ROUTES);
  app.get(`${API_PREFIX}/openapi.json`, { preHandler: publicLimit(deps.limiter) }, async (request, reply) =>
    reply.headers({ 'access-control-allow-origin': '*', 'cache-control': 'public, max-age=300' }).type('application/json; charset=utf-8').send(openApi.json(request.tenant)),
  );
  // A path under /api/v2 that names no route is still a Management API call, answered with
  // x-ratelimit-* like every other; it serves no one's token, so it counts against its address,
  // never the tenant's budget (issue 9, S4), and no token is verified for it.
  app.route({
    method: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
    url: `${API_PREFIX}/*`,
    onRequest: (request, reply) => countAddressCall(deps, request, reply),
    handler: async () => {
      throw new ManagementError(404, TEXT.notFoundRoute);
    },
  });
  app.options(`${API_PREFIX}/*`, preflight(deps.registry, 'GET, POST, PATCH, PUT, DELETE'));
};
