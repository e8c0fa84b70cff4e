import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.js';
import { HUB_MAIN, REPO_ROOT } from '@showwire/testkit';

/** Configuration is validated at start: a bad value stops the start with a message naming it. */
describe('configuration', () => {
  it('has the documented defaults (docs/configuration.md), and treats empty values as unset', () => {
    const c = loadConfig({ PORT: '', HUB_SECRET: '' });
    assert.equal(c.PORT, 8080);
    assert.equal(c.HOST, '127.0.0.1');
    assert.equal(c.HUB_DATA_DIR, './data');
    assert.equal(c.HUB_HEARTBEAT_MS, 15_000);
    assert.equal(c.HUB_STORE, 'sqlite');
    assert.equal(loadConfig({ HUB_STORE: 'redis://127.0.0.1:6379/2', HUB_SECRET: 'k'.repeat(32) }).HUB_STORE, 'redis://127.0.0.1:6379/2');
    assert.throws(() => loadConfig({ HUB_STORE: 'redis://127.0.0.1:6379' }), /HUB_SECRET: is required with HUB_STORE=redis/);
    assert.equal(c.HUB_AUTH, 'on');
    assert.equal(c.HUB_SECRET, undefined);
  });

  it('names every bad variable and its rule', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', HUB_AUTH: 'maybe', HUB_SECRET: 'short', HUB_STORE: 'postgres://x', HUB_REDIS_PREFIX: 'nohashtag:' }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        for (const name of ['PORT: must be a whole number', 'HUB_AUTH', 'HUB_SECRET: must be at least 32 characters', 'HUB_STORE: must be "sqlite" or a redis:// or rediss:// URL', 'HUB_REDIS_PREFIX: must start with a {hash tag}']) {
          assert.match(e.message, new RegExp(name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        }
        return true;
      },
    );
  });

  it('a bad value stops the hub process with exit code 2 and the message, before it listens', async () => {
    const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', HUB_MAIN], {
      cwd: REPO_ROOT,
      env: { ...process.env, HUB_HEARTBEAT_MS: '-5', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise((r) => child.on('exit', r));
    assert.equal(code, 2);
    assert.match(out, /showwire hub: invalid configuration:\n  HUB_HEARTBEAT_MS: must be at least 100/);
    assert.doesNotMatch(out, /Showwire dashboard|listening|at .*\.ts:\d+/, 'no start, no stack trace');
  });
});
