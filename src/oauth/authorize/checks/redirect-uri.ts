// redirect_uri is one of the client's callbacks, exactly (D9, RFC 9700 §2.1; loopback any-port
// per RFC 8252 §7.3). Absent: the single registered callback, if there is exactly one (T-RU-22).
// A mismatch is shown on our page: nothing is ever sent to an unregistered URI (T-RU-01..26); so is
// a value longer than any callback can be (1024 characters, the clients schema's bound).
import { defaultRedirectUri, redirectUriMatches } from '../../../domain/redirects.ts';
import { AUTHORIZE_TEXT, AuthorizePageError } from '../../errors.ts';
import type { AuthorizeCheck } from './check.ts';

const MAX_REDIRECT_URI = 1024;

export const redirectUriCheck: AuthorizeCheck = {
  name: 'redirect_uri',
  params: ['redirect_uri'],
  run(ctx) {
    const callbacks = ctx.client!.record.data.callbacks ?? [];
    const given = ctx.params.get('redirect_uri');
    if (given !== undefined && given.length > MAX_REDIRECT_URI) throw new AuthorizePageError(AUTHORIZE_TEXT.badRequest, AUTHORIZE_TEXT.tooLong('redirect_uri', MAX_REDIRECT_URI));
    const uri = given ?? defaultRedirectUri(callbacks);
    if (uri === undefined) throw new AuthorizePageError(AUTHORIZE_TEXT.badRequest, AUTHORIZE_TEXT.missingParameter('redirect_uri'));
    if (!redirectUriMatches(uri, callbacks)) throw new AuthorizePageError(AUTHORIZE_TEXT.callbackMismatchTitle, AUTHORIZE_TEXT.callbackMismatch);
    ctx.draft.redirectUri = uri;
    ctx.draft.redirectUriGiven = given !== undefined;
  },
};
