// Which metrics reason a refused Management API call counts under (issue 13): from the status and
// the verifier's rule (the scopeward-token-rejected header auth.ts sets), never from the request.
import type { RefusalReason } from '../observability/metrics.ts';
import { REJECTION_HEADER } from './auth.ts';
import type { ManagementError } from './errors.ts';

export function refusalReason(error: ManagementError): RefusalReason {
  switch (error.statusCode) {
    case 429:
      return 'rate_limited';
    case 403:
      // admitCall: the token lacks the route's scopes (or a current-user token reaches past its user).
      return 'scope';
    case 401: {
      const rule = /^reason=([a-z_]+)/.exec(error.headers[REJECTION_HEADER] ?? '')?.[1];
      if (rule === 'expired') return 'expired';
      // On the denylist, or issued to a client that is gone (D6).
      if (rule === 'revoked' || rule === 'unknown_client') return 'revoked';
      return 'invalid_token';
    }
    default:
      return 'invalid_request';
  }
}
