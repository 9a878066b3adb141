// The /api/v2 catch-all's admission (issue 9 S4, issue 12 E5): a path under an Auth0 resource that
// Scopeward does not serve authenticates its caller and counts against the tenant's budget, as a
// route does, before its 403; any other unknown path counts against its address and is a 404.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BearerAuthenticator } from '../management/auth.ts';
import { ManagementError } from '../management/errors.ts';
import { countAddressCall, countTenantCall } from '../management/register.ts';
import { unknownPathError, unservedScope } from '../management/unserved.ts';

type CountDeps = Parameters<typeof countAddressCall>[0];

export async function admitUnknownPath(deps: CountDeps, authenticator: BearerAuthenticator, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (unservedScope(request.method, request.url) === undefined) return countAddressCall(deps, request, reply);
  try {
    await authenticator.authenticate(request.tenant, request.headers.authorization);
  } catch (error) {
    if (error instanceof ManagementError) await countAddressCall(deps, request, reply);
    throw error;
  }
  await countTenantCall(deps, request, reply);
}

export const answerUnknownPath = async (request: FastifyRequest): Promise<never> => {
  throw unknownPathError(request.method, request.url);
};
