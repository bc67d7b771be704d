import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

// Cross-origin isolation lets onnxruntime-web use threads; it also keeps the page from loading anything foreign.
const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/**
 * The Content-Security-Policy of the built studio: everything it loads (scripts, workers, wasm, the models, the
 * samples, Monaco's font) comes from its own origin. 'wasm-unsafe-eval' compiles sql.js's and onnxruntime-web's wasm;
 * 'unsafe-inline' styles are Monaco's injected <style> elements (no inline script is allowed: a value that smuggled
 * markup in could not run it). Fetches go to the same origin or to data: URLs (Vite inlines the models' small JSON
 * files), and from the page also to the http(s) URL a user types into "Database URL" and to huggingface.co when the
 * user lists or downloads a model in the model picker; nothing else connects anywhere. The workers fetch nothing but
 * the studio's own files (a brought model reaches the model worker as bytes).
 */
const policy = (connect: string) =>
  [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
const PAGE_CSP = policy("'self' data: https: http:");
/** The workers (SQL, model, Monaco's) never fetch a user's URL: the page does. A worker takes the CSP of its own response. */
const WORKER_CSP = policy("'self' data:");

/**
 * The policy as a <meta> tag in the built index.html (so any static host serves it), and as a header from `vite
 * preview`, where the worker scripts get WORKER_CSP (a <meta> tag does not reach workers). Not in `vite dev`: its
 * React refresh preamble is an inline script.
 */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'cocte-csp',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      // Only the studio's page: bench.html is the developer's benchmark page.
      handler: (html, ctx) => (ctx.filename.endsWith('/index.html') ? [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: PAGE_CSP }, injectTo: 'head-prepend' }] : html),
    },
  };
}

function previewCsp(): Plugin {
  return {
    name: 'cocte-preview-csp',
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => {
        // bench.html is the developer's benchmark page, not the studio: no policy there.
        if (!req.url?.startsWith('/bench')) res.setHeader('Content-Security-Policy', /\/assets\/[^/]*worker[^/]*\.js(\?|$)/.test(req.url ?? '') ? WORKER_CSP : PAGE_CSP);
        next();
      });
    },
  };
}

export default defineConfig({
  plugins: [react(), contentSecurityPolicy(), previewCsp()],
  server: { host: '127.0.0.1', port: 5173, strictPort: true, headers },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true, headers },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 5000,
    rollupOptions: { input: { main: 'index.html', bench: 'bench.html', benchHub: 'bench-hub.html' } },
  },
});
