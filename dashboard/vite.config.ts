import { defineConfig, defaultClientConditions } from 'vite';
import react from '@vitejs/plugin-react';

const HUB = process.env.HUB_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  // `@showwire/protocol` from source (its `development` export), in dev and in the build alike.
  resolve: { conditions: ['development', ...defaultClientConditions] },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': { target: HUB, changeOrigin: false } },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
});
