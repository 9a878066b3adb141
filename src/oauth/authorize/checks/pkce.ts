// PKCE for the code flow (RFC 7636, RFC 9700 §2.1.1): S256 only (D13: a challenge without a
// method, or `plain`, is refused), the challenge must look like a SHA-256 in base64url, and a
// public client must send one (T-PK-02/03/06). Implicit requests ignore these parameters.
import { AUTHORIZE_TEXT, AuthorizeRedirectError } from '../../errors.ts';
import type { AuthorizeCheck } from './check.ts';

const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export const pkceCheck: AuthorizeCheck = {
  name: 'pkce',
  params: ['code_challenge', 'code_challenge_method'],
  run(ctx) {
    if (!ctx.draft.responseType!.includes('code')) return;
    const challenge = ctx.params.get('code_challenge');
    const method = ctx.params.get('code_challenge_method');
    if (challenge === undefined) {
      if (method !== undefined) throw new AuthorizeRedirectError('invalid_request', AUTHORIZE_TEXT.pkceMethodWithoutChallenge);
      if (ctx.client!.authMethod === 'none') throw new AuthorizeRedirectError('invalid_request', AUTHORIZE_TEXT.pkceChallengeRequired);
      return;
    }
    if (method !== 'S256') throw new AuthorizeRedirectError('invalid_request', AUTHORIZE_TEXT.pkceMethod);
    if (!S256_CHALLENGE.test(challenge)) throw new AuthorizeRedirectError('invalid_request', AUTHORIZE_TEXT.pkceChallengeFormat);
    ctx.draft.codeChallenge = challenge;
  },
};
