// response_mode: query (default for code), fragment (default for tokens), form_post, web_message
// (spec §2.5). Tokens never travel in a query string (T-AZ-06); web_message answers only an
// origin the client lists in web_origins (spec §2.5 "Allowed Web Origins"); other modes, such as
// form_post.jwt, are refused (T-AZ-09).
import { originOf } from '../../../domain/redirects.ts';
import { AUTHORIZE_TEXT, AuthorizePageError, AuthorizeRedirectError } from '../../errors.ts';
import type { AuthorizeRequest, ResponseMode } from '../request.ts';
import type { AuthorizeCheck } from './check.ts';

const MODES = new Set<ResponseMode>(['query', 'fragment', 'form_post', 'web_message']);

/** The mode an error is sent with when the request's own mode is missing or unusable. */
export function defaultMode(draft: Partial<AuthorizeRequest>): ResponseMode {
  const type = draft.responseType;
  return type && !type.includes('code') ? 'fragment' : 'query';
}

export const responseModeCheck: AuthorizeCheck = {
  name: 'response_mode',
  params: ['response_mode'],
  run(ctx) {
    const raw = ctx.params.get('response_mode');
    if (raw === undefined) {
      ctx.draft.responseMode = defaultMode(ctx.draft);
      return;
    }
    if (!MODES.has(raw as ResponseMode)) throw new AuthorizeRedirectError('invalid_request', AUTHORIZE_TEXT.unsupportedResponseMode(raw));
    const mode = raw as ResponseMode;
    if (mode === 'query' && !ctx.draft.responseType!.includes('code')) {
      ctx.draft.responseMode = 'fragment';
      throw new AuthorizeRedirectError('invalid_request', AUTHORIZE_TEXT.queryWithTokens);
    }
    if (mode === 'web_message') {
      const origin = originOf(ctx.draft.redirectUri!);
      // Registered origins may carry a trailing slash or a default port (both accepted when written):
      // compare serialized origins, as CORS does.
      const allowed = (ctx.client!.record.data.web_origins ?? []).map(originOf);
      if (origin === undefined || !allowed.includes(origin)) throw new AuthorizePageError(AUTHORIZE_TEXT.badRequest, AUTHORIZE_TEXT.webOriginMismatch);
    }
    ctx.draft.responseMode = mode;
  },
};
