// Sending our HTML pages, with the headers every one of them carries: a nonce-based CSP that
// allows no other script or style, no framing (except a web_message page by its application's
// origin), forms posting only to us (and to the application's origin where the page hands it a
// result), no referrer, no caching, no sniffing (T-UI-07/08/11, T-AZ-09/10, RFC 9700 §4.2, §4.16).
import type { FastifyReply } from 'fastify';
import type { Page } from '../login/html.ts';

export function sendPage(reply: FastifyReply, page: Page): FastifyReply {
  const formAction = ["'self'", ...(page.formAction ?? [])].join(' ');
  const frameAncestors = page.frameAncestor ?? "'none'";
  reply.headers({
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'content-security-policy':
      `default-src 'none'; script-src 'nonce-${page.nonce}'; style-src 'nonce-${page.nonce}'; img-src 'self' https: data:; ` +
      `form-action ${formAction}; frame-ancestors ${frameAncestors}; base-uri 'none'`,
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  });
  if (page.frameAncestor === undefined) reply.header('x-frame-options', 'DENY');
  return reply.code(page.status).send(page.body.value);
}
