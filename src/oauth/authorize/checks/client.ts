// client_id names an application of this tenant; until it does, errors go to our own page
// (RFC 6749 §4.1.2.1, T-RU-23).
import { AUTHORIZE_TEXT, AuthorizePageError } from '../../errors.ts';
import type { AuthorizeCheck } from './check.ts';

export const clientCheck: AuthorizeCheck = {
  name: 'client',
  params: ['client_id'],
  async run(ctx) {
    const clientId = ctx.params.get('client_id');
    if (clientId === undefined) throw new AuthorizePageError(AUTHORIZE_TEXT.badRequest, AUTHORIZE_TEXT.missingParameter('client_id'));
    const client = clientId.length <= 255 ? await ctx.registry.client(ctx.tenant.id, clientId) : null;
    if (!client || client.global) throw new AuthorizePageError(AUTHORIZE_TEXT.badRequest, AUTHORIZE_TEXT.unknownClient(clientId));
    ctx.client = client;
    ctx.draft.clientId = clientId;
  },
};
