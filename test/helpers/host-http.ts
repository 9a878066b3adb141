// Plain-HTTP calls to a real server process (`serve --http`) with an explicit Host header, so
// several instances on different ports can serve one tenant domain (fetch cannot set Host). A
// connection error is an answer too (status 0): the fault tests count them, since a process that
// died answers nothing.
import http from 'node:http';

export interface HostResponse {
  status: number;
  /** Parsed JSON, or the raw text when the body is not JSON. */
  body: Record<string, unknown>;
  text: string;
}

export interface HostCaller {
  request(method: string, path: string, options?: { json?: unknown; token?: string }): Promise<HostResponse>;
  /** POST /oauth/token with client credentials. */
  token(clientId: string, clientSecret: string, audience: string): Promise<HostResponse>;
  close(): void;
}

/**
 * `fresh`: a new connection per request (cluster workers take connections roughly in turn).
 * `pinned`: one kept-alive connection for every request, so all of them reach the same worker.
 */
export function hostCaller(port: number, host: string, options: { fresh?: boolean; pinned?: boolean } = {}): HostCaller {
  const agent = new http.Agent({ keepAlive: options.fresh !== true, maxSockets: options.pinned === true ? 1 : 64 });
  const request: HostCaller['request'] = (method, path, options = {}) =>
    new Promise((resolve) => {
      const payload = options.json === undefined ? undefined : JSON.stringify(options.json);
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path,
          method,
          agent,
          timeout: 20_000,
          headers: {
            host,
            ...(payload !== undefined && { 'content-type': 'application/json' }),
            ...(options.token !== undefined && { authorization: `Bearer ${options.token}` }),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => {
            let body: Record<string, unknown>;
            try {
              body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
            } catch {
              body = { text };
            }
            resolve({ status: res.statusCode ?? 0, body, text });
          });
          res.on('error', (error: Error) => resolve({ status: 0, body: { error: error.message }, text: '' }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (error) => resolve({ status: 0, body: { error: error.message }, text: '' }));
      req.end(payload);
    });
  return {
    request,
    token: (clientId, clientSecret, audience) => request('POST', '/oauth/token', { json: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, audience } }),
    close: () => agent.destroy(),
  };
}
