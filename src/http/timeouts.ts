// Connection time limits (S7, T-HTTP-10, CVE-2018-12122): every socket, whatever it sends or
// withholds, is closed within a known time, so idle or slow clients cannot hold the process's file
// descriptors. A TLS handshake (or, on HTTPS, the first byte) within `handshakeSeconds`; the request
// line and headers within `headersSeconds` of the connection or the previous response; the whole
// request within `requestSeconds`, which also bounds a connection with no traffic either way; an
// idle keep-alive connection for `keepAliveSeconds`.
import type { ServerOptions as HttpOptions } from 'node:http';
import type { ServerOptions as HttpsOptions } from 'node:https';

export interface HttpTimeouts {
  handshakeSeconds: number;
  headersSeconds: number;
  requestSeconds: number;
  keepAliveSeconds: number;
}

/** The defaults of `scopeward serve` (config/schema.ts shows the same numbers to users). */
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = { handshakeSeconds: 10, headersSeconds: 15, requestSeconds: 30, keepAliveSeconds: 5 };

/**
 * How often Node checks the headers and request deadlines. Its default, 30 s, would let a 15 s
 * headers limit run to 45 s; a check a second costs one pass over the open connections.
 */
const CHECK_INTERVAL_MS = 1000;

/**
 * Fastify's server options for these limits, with the HTTPS options (when serving HTTPS) they
 * extend. Either way the app is typed as serving http.Server: @types/node declares https.Server
 * one too, and requests and replies are the same objects on both.
 */
export interface ServerTimeoutOptions {
  connectionTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  http?: HttpOptions;
  https?: HttpsOptions;
}

export function serverTimeoutOptions(t: HttpTimeouts, https: HttpsOptions | undefined): ServerTimeoutOptions {
  // Given at construction, where Node reads them (the checking interval is read only there).
  const deadlines: HttpOptions = {
    connectionsCheckingInterval: CHECK_INTERVAL_MS,
    headersTimeout: t.headersSeconds * 1000,
    requestTimeout: t.requestSeconds * 1000,
    keepAliveTimeout: t.keepAliveSeconds * 1000,
  };
  return {
    // Socket inactivity (no byte either way): the backstop for a client that stops reading.
    connectionTimeout: t.requestSeconds * 1000,
    requestTimeout: t.requestSeconds * 1000,
    keepAliveTimeout: t.keepAliveSeconds * 1000,
    ...(https ? { https: { ...https, ...deadlines, handshakeTimeout: t.handshakeSeconds * 1000 } } : { http: deadlines }),
  };
}
