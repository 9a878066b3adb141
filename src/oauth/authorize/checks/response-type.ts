// response_type: code, token, id_token or token id_token (order-insensitive). Hybrid flows are not
// offered. The client must allow the grant behind it: authorization_code for code, implicit for
// tokens from /authorize (RFC 9700 §2.1.2: implicit is opt-in per client, D10, T-AZ-05).
import { AUTHORIZE_TEXT, AuthorizeRedirectError } from '../../errors.ts';
import type { ResponsePart } from '../request.ts';
import type { AuthorizeCheck } from './check.ts';

const SUPPORTED = new Set(['code', 'token', 'id_token', 'id_token token']);

export const responseTypeCheck: AuthorizeCheck = {
  name: 'response_type',
  params: ['response_type'],
  run(ctx) {
    const raw = ctx.params.get('response_type');
    if (raw === undefined) throw new AuthorizeRedirectError('invalid_request', AUTHORIZE_TEXT.missingParameter('response_type'));
    const parts = raw.split(' ').filter(Boolean).sort();
    if (!SUPPORTED.has(parts.join(' ')) || new Set(parts).size !== parts.length) {
      throw new AuthorizeRedirectError('unsupported_response_type', AUTHORIZE_TEXT.unsupportedResponseType(raw));
    }
    ctx.draft.responseType = parts as ResponsePart[];
  },
};

export const grantAllowedCheck: AuthorizeCheck = {
  name: 'grant_allowed',
  params: [],
  run(ctx) {
    const parts = ctx.draft.responseType!;
    const grant = parts.includes('code') ? 'authorization_code' : 'implicit';
    if (!ctx.client!.grantTypes.has(grant)) {
      throw new AuthorizeRedirectError('unauthorized_client', AUTHORIZE_TEXT.responseTypeNotAllowed(parts.join(' ')));
    }
  },
};
