// Which metrics reason a token-endpoint refusal counts under (issue 13): from the step that
// refused and the OAuth error it threw, never from anything the caller sent.
import type { RefusalReason } from '../../observability/metrics.ts';
import { TOKEN_TEXT, type OAuthError } from '../errors.ts';

const SCOPES_NOT_GRANTED = TOKEN_TEXT.scopesNotGranted([]);

export function refusalReason(step: string, error: OAuthError): RefusalReason {
  // 429: the brake refuses inside client authentication (T-RL-06); every other 429 is a bucket.
  if (error.status === 429) return step === 'authenticate-client' ? 'brute_force' : 'rate_limited';
  // Unknown client and wrong secret answer alike (D1), and count alike.
  if (error.status === 401) return 'bad_secret';
  switch (error.error) {
    case 'invalid_scope':
      return 'scope';
    case 'invalid_grant':
      return 'invalid_grant';
    case 'unauthorized_client':
      return 'grant_type';
    case 'access_denied':
      // The client-credentials grant: no audience, no API, no client grant; or scopes not granted.
      return error.description.startsWith(SCOPES_NOT_GRANTED) ? 'scope' : 'no_grant';
    default:
      return 'invalid_request';
  }
}
