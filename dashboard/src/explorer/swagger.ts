// Swagger UI (swagger-ui-dist, the maintained OpenAPI UI) on the tenant's generated document.
// Loaded on its own chunk after the token panel is on screen: the bundle is large.
// The token is added by a request interceptor, and only to requests for https://DOMAIN itself:
// never to the document's download, never to another host.
import SwaggerUIBundle from 'swagger-ui-dist/swagger-ui-bundle.js';
import 'swagger-ui-dist/swagger-ui.css';
import { scopePlugin } from './scope-plugin.ts';
import type { ExplorerStore } from './token-store.ts';

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/** Renders the explorer for the store's domain into `node`. */
export function mountSwagger(node: HTMLElement, store: ExplorerStore): void {
  const origin = `https://${store.get().domain}`;
  SwaggerUIBundle({
    domNode: node,
    url: `${origin}/api/v2/openapi.json`,
    presets: [SwaggerUIBundle.presets.apis],
    plugins: [scopePlugin(store)],
    layout: 'BaseLayout',
    deepLinking: false,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    filter: true,
    tryItOutEnabled: true,
    displayRequestDuration: true,
    requestSnippetsEnabled: true,
    // The curl shown is the request as sent, Authorization header included.
    showMutatedRequest: true,
    // No call to validator.swagger.io: the explorer talks to the chosen domain only.
    validatorUrl: null,
    withCredentials: false,
    requestInterceptor(request) {
      const { token } = store.get();
      if (token && request.loadSpec !== true && sameOrigin(request.url, origin)) request.headers.Authorization = `Bearer ${token}`;
      return request;
    },
  });
}
