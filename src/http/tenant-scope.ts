// The tenant scope: every audience but health runs inside it. Its first hook asks the Host for the
// tenant (an ambiguous Host was refused at the root already, S13) and answers 404, in the words of
// the audience whose route it was, when none answers; so every handler and route hook inside reads
// `request.tenant` as a Tenant. Unknown paths are answered here (JSON 404).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../cache/registry.ts';
import type { Tenant } from '../domain/tenant.ts';
import { ManagementError } from '../management/errors.ts';
import { jsonErrors, jsonNotFound } from './errors.ts';

const TENANT: unique symbol = Symbol('scopeward.tenant');

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The tenant the Host names. Resolved before any other hook of the tenant scope runs; reading
     * it where it was not (outside the scope, or in a hook that also runs for refused requests:
     * see tenantOrNone) throws (decorateTenant).
     */
    tenant: Tenant;
    [TENANT]: Tenant | null;
  }
}

/** The request's tenant, or undefined when its Host named none (onSend hooks run for those too). */
export function tenantOrNone(request: FastifyRequest): Tenant | undefined {
  return request[TENANT] ?? undefined;
}

/**
 * Declares request.tenant on `app` (the root, so every context has it): a getter that throws until
 * the tenant scope has resolved the tenant, so that reading it where no tenant was chosen fails
 * loudly instead of yielding undefined under a type that says Tenant.
 */
export function decorateTenant(app: FastifyInstance): void {
  app.decorateRequest(TENANT, null);
  app.decorateRequest('tenant', {
    getter(this: FastifyRequest): Tenant {
      const tenant = this[TENANT];
      if (tenant === null) throw new Error('request.tenant read where no tenant was resolved');
      return tenant;
    },
    setter(this: FastifyRequest, tenant: Tenant) {
      this[TENANT] = tenant;
    },
  });
}

/** Makes `app` (an encapsulated context) the tenant scope: tenant resolution, JSON errors, the JSON 404. */
export function useTenantScope(app: FastifyInstance, registry: Registry): void {
  // Synchronous (callback style), like every hook that runs on every request: no promise per call.
  app.addHook('onRequest', (request, _reply, done) => {
    const tenant = registry.tenantByHost(request.host);
    if (!tenant) return done(new ManagementError(404, 'No tenant answers the host this request was sent to'));
    request[TENANT] = tenant;
    done();
  });
  app.setErrorHandler(jsonErrors);
  app.setNotFoundHandler(jsonNotFound);
}
