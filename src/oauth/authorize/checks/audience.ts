// audience names an API of the tenant (or the tenant's default_audience applies); an unknown one
// is Auth0's access_denied "Service not found: <audience>" (spec §2.5).
import { defaultAudience } from '../../../domain/tenant.ts';
import { AUTHORIZE_TEXT, AuthorizeRedirectError } from '../../errors.ts';
import type { AuthorizeCheck } from './check.ts';

export const audienceCheck: AuthorizeCheck = {
  name: 'audience',
  params: ['audience'],
  async run(ctx) {
    const audience = ctx.params.get('audience') ?? defaultAudience(ctx.tenant);
    ctx.draft.audience = audience;
    if (audience === undefined) return;
    const api = audience.length <= 600 ? await ctx.registry.api(ctx.tenant.id, audience) : null;
    if (!api) throw new AuthorizeRedirectError('access_denied', AUTHORIZE_TEXT.serviceNotFound(audience));
    ctx.api = api;
  },
};
