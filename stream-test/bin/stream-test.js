#!/usr/bin/env node
// npm links a workspace's bins at install time, before `npm run build` has made dist/, so the
// bin is this committed shim rather than dist/cli.js itself: `npx stream-test` works on a fresh clone.
import { existsSync } from 'node:fs';

// A .env where the command is run fills what the environment leaves unset (HUB_URL, HUB_TOKEN).
if (existsSync('.env')) process.loadEnvFile('.env');
try {
  await import('../dist/cli.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js')) {
    console.error('stream-test is not built yet: run `npm run build` in the repository first.');
    process.exit(1);
  }
  throw error;
}
