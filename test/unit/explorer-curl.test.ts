// Issue 14: the explorer's "Copy curl" adds the local CA (dashboard/src/explorer/curl.ts).
// test/cli/readme-walk.test.ts runs such a command against a real server.
import { describe, expect, it } from 'vitest';
import { withCaCert } from '../../dashboard/src/explorer/curl.ts';

const SWAGGER = "curl -X 'GET' \\\n  'https://localhost:8443/api/v2/clients' \\\n  -H 'accept: application/json'";

describe('withCaCert', () => {
  it('adds --cacert PATH right after curl, the rest unchanged', () => {
    expect(withCaCert(SWAGGER, '/home/dev/scopeward/data/ca.crt')).toBe(`curl --cacert /home/dev/scopeward/data/ca.crt -X 'GET' \\\n  'https://localhost:8443/api/v2/clients' \\\n  -H 'accept: application/json'`);
  });

  it('quotes a path the shell would split or expand', () => {
    expect(withCaCert('curl -X GET x', "/home/o'brien/my data/ca.crt")).toBe("curl --cacert '/home/o'\\''brien/my data/ca.crt' -X GET x");
    expect(withCaCert('curl -X GET x', '/tmp/$HOME/ca.crt')).toBe("curl --cacert '/tmp/$HOME/ca.crt' -X GET x");
  });

  it('no CA path, or text that is not a curl command: unchanged', () => {
    expect(withCaCert(SWAGGER, undefined)).toBe(SWAGGER);
    expect(withCaCert('wget x', '/ca.crt')).toBe('wget x');
  });
});
