import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * The work console, built into dist/console and served by the API at `/` (no CDN: every file comes from
 * the origin). The domain's pure code (labels, rules) is imported from libs/domain, the one place it lives.
 */
export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [vue()],
  resolve: {
    alias: {
      '@app/domain': here('../../libs/domain/src/index.ts'),
      '@': here('./src'),
    },
  },
  build: {
    outDir: here('../../dist/console'),
    emptyOutDir: true,
    // Admin and report pages are split off by the router's lazy imports; the crew's screens stay small.
    chunkSizeWarningLimit: 700,
  },
  server: { proxy: Object.fromEntries(['/auth', '/tickets', '/reports', '/companies', '/users', '/sla-policies', '/calendar', '/seasons', '/indoor-standard', '/escalations', '/hotspots', '/public', '/docs-json'].map((path) => [path, 'http://localhost:3000'])) },
});
