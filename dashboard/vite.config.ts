// The dashboard and the explorer: one single-page application served by the server under
// /dashboard/ (assets) and at /dashboard/* and /explorer (index.html). Built by `npm run build`.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: import.meta.dirname,
  base: '/dashboard/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline scripts or styles: the server's CSP allows 'self' only.
    assetsInlineLimit: 0,
    target: 'es2022',
    // Swagger UI (the explorer's library, ~1.5 MB) is its own lazily loaded chunk, fetched only at
    // /explorer; the warning would be about that chunk. First-load size is measured instead
    // (npm run bench:dashboard, bench/README.md).
    chunkSizeWarningLimit: 1600,
  },
});
