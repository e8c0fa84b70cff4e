import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HUB_MAIN, tempDir } from '@showwire/testkit';

/** Runs the hub from `cwd` until it prints its dashboard line (or exits), and answers what it printed. */
async function startIn(cwd: string, env: Record<string, string>) {
  // tsx by URL: `--import tsx` would be looked up from `cwd`, which has no node_modules.
  const child = spawn(process.execPath, ['--conditions=development', '--import', import.meta.resolve('tsx'), HUB_MAIN], {
    cwd,
    env: { ...process.env, HUB_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const url = await new Promise<string | undefined>((resolve) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /Showwire dashboard: (http:\/\/[^/\s]+)\//.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', () => resolve(undefined));
  });
  return { url, out: () => out, stop: () => child.kill('SIGKILL') };
}

describe('.env', () => {
  it('is read where the hub is started, the real environment wins over it, and its absence is silent', async () => {
    const dir = tempDir('showwire-env-');
    try {
      writeFileSync(join(dir, '.env'), `HUB_AUTH=off\nHUB_DATA_DIR=${join(dir, 'data')}\nPORT=1\n`);
      const hub = await startIn(dir, { PORT: '0', INIT_CWD: dir });
      try {
        assert.ok(hub.url, hub.out());
        // HUB_AUTH=off came from the file: the stream is open without a token.
        const res = await fetch(`${hub.url}/api/shows`);
        assert.equal(res.status, 200);
        assert.match(hub.out(), /HUB_AUTH=off/);
        assert.notEqual(new URL(hub.url).port, '1', 'PORT from the environment wins over the file');
      } finally {
        hub.stop();
      }

      const bare = tempDir('showwire-noenv-');
      const plain = await startIn(bare, { PORT: '0', INIT_CWD: bare, HUB_DATA_DIR: join(bare, 'data') });
      try {
        assert.ok(plain.url, plain.out());
        assert.equal((await fetch(`${plain.url}/api/shows`)).status, 401, 'no .env: auth stays on');
        assert.doesNotMatch(plain.out(), /\.env/, 'no notice about a missing .env');
      } finally {
        plain.stop();
        rmSync(bare, { recursive: true, force: true });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
