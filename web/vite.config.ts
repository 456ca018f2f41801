import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const apiTarget = process.env.CHANGEBOARD_API ?? 'http://127.0.0.1:8080';

/**
 * The web app. `npm run build` writes web/dist, which the Changeboard server
 * serves; `npm run dev` runs this dev server with hot reload and proxies /api
 * to a Changeboard server (scripts/dev.mjs starts both).
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: process.env.WEB_OUT_DIR ?? fileURLToPath(new URL('dist', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // Everything the app needs is in the bundle: no inline scripts, so the server's CSP can forbid them.
    assetsInlineLimit: 0,
  },
  server: {
    port: 5173,
    strictPort: true,
    // The form reuses the server's pure validation rules from ../src/domain.
    fs: { allow: ['..'] },
    proxy: {
      // The Origin header is kept, so the server's CSRF check sees the dev server's origin (its PUBLIC_URL).
      '/api': { target: apiTarget, changeOrigin: false },
    },
  },
});
