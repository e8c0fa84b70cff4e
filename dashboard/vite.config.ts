import { defineConfig, defaultClientConditions } from 'vite';
import react from '@vitejs/plugin-react';
import { chunkBudget } from './build/chunk-budget.js';
import { precompress } from './build/precompress.js';

const HUB = process.env.HUB_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react(), chunkBudget(), precompress()],
  // `@showwire/protocol` from source (its `development` export), in dev and in the build alike.
  resolve: { conditions: ['development', ...defaultClientConditions] },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': { target: HUB, changeOrigin: false } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // Replaced by chunkBudget(): a first-load budget, and the 500 kB warning for every chunk but
    // one prebuilt library loaded on demand (livekit-client, one module nothing can split).
    chunkSizeWarningLimit: Number.POSITIVE_INFINITY,
  },
});
