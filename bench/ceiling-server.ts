// The ceiling probe: the least any Node.js token endpoint can do per request. A bare node:http
// server that reads the form body and answers with a freshly signed RS256 JWT of the same shape
// as Scopeward's, with no client authentication, no lookups and no framework. Its rate over the
// bare signing rate is the share the HTTP stack leaves on this machine; the gap between it and
// Scopeward is everything Scopeward does on top. Spec as JSON in BENCH_SPEC; prints "listening".
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';

interface CeilingSpec {
  port: number;
  certFile?: string;
  keyFile?: string;
}

const spec = JSON.parse(process.env.BENCH_SPEC ?? '') as CeilingSpec;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const header = b64({ alg: 'RS256', typ: 'JWT', kid: 'ceiling' });

function handler(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    const p = new URLSearchParams(body);
    const now = Math.floor(Date.now() / 1000);
    const clientId = p.get('client_id') ?? '';
    const claims = { iss: `https://localhost:${spec.port}/`, sub: `${clientId}@clients`, aud: p.get('audience'), iat: now, exp: now + 86400, scope: p.get('scope'), gty: 'client-credentials', azp: clientId, jti: randomBytes(16).toString('hex') };
    const input = `${header}.${b64(claims)}`;
    const token = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    const out = JSON.stringify({ access_token: token, scope: claims.scope, expires_in: 86400, token_type: 'Bearer' });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', pragma: 'no-cache', 'content-length': Buffer.byteLength(out) });
    res.end(out);
  });
}

const server = spec.certFile && spec.keyFile ? https.createServer({ cert: readFileSync(spec.certFile), key: readFileSync(spec.keyFile) }, handler) : http.createServer(handler);
server.listen(spec.port, '127.0.0.1', () => process.stdout.write('listening\n'));
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => server.close(() => process.exit(0)));
