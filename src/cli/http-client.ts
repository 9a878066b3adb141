// A small HTTPS client for the CLI. It trusts the system CAs, NODE_EXTRA_CA_CERTS and, when it
// exists, the local CA in the data directory, so `scopeward token` works against `npm start`
// without any extra setup.
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { rootCertificates } from 'node:tls';
import { CliError, EXIT } from './errors.ts';

export interface JsonResponse {
  status: number;
  body: unknown;
}

export function trustedCas(dataDir: string): string[] {
  const cas = [...rootCertificates];
  const local = path.join(dataDir, 'ca.crt');
  if (existsSync(local)) cas.push(readFileSync(local, 'utf8'));
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  if (extra && existsSync(extra)) cas.push(readFileSync(extra, 'utf8'));
  return cas;
}

export function requestJson(url: string, options: { method?: string; body?: string; headers?: Record<string, string>; ca: string[]; timeoutMs?: number }): Promise<JsonResponse> {
  const target = new URL(url);
  const lib = target.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      target,
      { method: options.method ?? 'GET', headers: options.headers, ca: options.ca, timeout: options.timeoutMs ?? 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // Not JSON: keep the text.
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error: NodeJS.ErrnoException) => {
      const hint = error.code === 'ECONNREFUSED' ? ' (is the server running? start it with npm start)' : /certificate|self.signed/i.test(error.message) ? ' (TLS: trust the server CA with NODE_EXTRA_CA_CERTS)' : '';
      reject(new CliError(`cannot reach ${target.origin}: ${error.code ?? error.message}${hint}`, EXIT.unreachable));
    });
    if (options.body) req.write(options.body);
    req.end();
  });
}
