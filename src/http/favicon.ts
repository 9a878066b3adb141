// /favicon.ico for every host (issue 14: browsers ask for it on the login page and the tenant's
// host, and got a 404). A small SVG, which browsers take at that path when its type says so; the
// same for every tenant, and no tenant is resolved for it.
import type { FastifyPluginAsync } from 'fastify';

export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
  '<path d="M16 2 4 7v8c0 7.4 5.1 13.3 12 15 6.9-1.7 12-7.6 12-15V7z" fill="#3451d1"/>' +
  '<path d="m10.5 16.5 4 4 7-8" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/>' +
  '</svg>';

export const favicon: FastifyPluginAsync = async (app) => {
  app.get('/favicon.ico', async (_request, reply) =>
    reply.header('content-type', 'image/svg+xml').header('cache-control', 'public, max-age=86400').send(FAVICON_SVG),
  );
};
