import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getJson, postJson, readHistory, startHub, tempDir, type TestHub } from '@showwire/testkit';

/** A small tmpfs the test owns (root in the test container), unmounted after. */
function mountTmpfs(sizeMb: number) {
  const dir = tempDir('showwire-tmpfs-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir]);
  return {
    dir,
    freeMb: () => (statfsSync(dir).bavail * statfsSync(dir).bsize) / (1024 * 1024),
    unmount() {
      try {
        execFileSync('umount', [dir]);
      } catch {
        execFileSync('umount', ['-l', dir]); // something still holds a file: detach it anyway
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const ready = async (hub: TestHub) => getJson(`${hub.url}/readyz`);
const big = (n: number) => Array.from({ length: 10 }, (_, i) => ({ type: 'blob', n, i, data: 'x'.repeat(60_000) }));

/**
 * Posts 600 KB batches until the hub refuses one; answers the ids it acknowledged and the
 * refusal. Every answer must be a 201 or the refusal: never a 500.
 */
async function fill(hub: TestHub, token: string, show: string) {
  const acked: string[] = [];
  for (let n = 0; n < 200; n++) {
    const res = await postJson(`${hub.url}/api/shows/${show}/events`, big(n), token);
    if (res.status === 201) {
      acked.push(...res.body.ids);
      continue;
    }
    return { acked, refusal: res };
  }
  throw new Error('the file system never filled up');
}

describe('readiness follows the storage', () => {
  let fs: ReturnType<typeof mountTmpfs>;
  before(() => {
    fs = mountTmpfs(16);
  });
  after(() => fs.unmount());

  it('free space below HUB_MIN_FREE_MB: 507 before the disk is full, /readyz unavailable, ready again once space is freed', async () => {
    const dataDir = join(fs.dir, 'low');
    mkdirSync(dataDir);
    const ballast = join(fs.dir, 'ballast-low');
    writeFileSync(ballast, Buffer.alloc(5 * 1024 * 1024));
    const hub = await startHub({ HUB_DATA_DIR: dataDir, HUB_MIN_FREE_MB: '4', HUB_LOG_LEVEL: 'warn' });
    try {
      const agent = await hub.token('agent');
      assert.equal((await ready(hub)).status, 200);
      const { acked, refusal } = await fill(hub, agent, 'low');
      assert.equal(refusal.status, 507, JSON.stringify(refusal.body));
      assert.equal(refusal.body.error, 'insufficient_storage');
      assert.match(refusal.body.message, /MB free, below HUB_MIN_FREE_MB \(4\.0 MB\)/);
      // One 600 KB batch costs up to ~2 MB (table, WAL, checkpoint): the margin keeps the disk from filling.
      assert.ok(fs.freeMb() > 1, `refused with ${fs.freeMb().toFixed(1)} MB still free, not on a full disk`);
      const r = await ready(hub);
      assert.equal(r.status, 503);
      assert.match(r.body.reason, /below HUB_MIN_FREE_MB/);
      // Everything acknowledged is there, nothing else.
      const stored = await readHistory(hub.url, 'low', await hub.token('staff'));
      assert.deepEqual(stored.map((e) => e.id), acked);

      rmSync(ballast);
      assert.equal((await ready(hub)).status, 200);
      assert.equal((await postJson(`${hub.url}/api/shows/low/events`, { type: 'note' }, agent)).status, 201);
    } finally {
      await hub.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a write that fails (SQLITE_FULL, check off): 507 naming it, unready until a write succeeds', async () => {
    const dataDir = join(fs.dir, 'full');
    mkdirSync(dataDir);
    const ballast = join(fs.dir, 'ballast-full');
    writeFileSync(ballast, Buffer.alloc(3 * 1024 * 1024));
    const hub = await startHub({ HUB_DATA_DIR: dataDir, HUB_MIN_FREE_MB: '0', HUB_LOG_LEVEL: 'fatal' });
    try {
      const agent = await hub.token('agent');
      assert.equal((await ready(hub)).status, 200);
      const { acked, refusal } = await fill(hub, agent, 'full');
      assert.equal(refusal.status, 507, JSON.stringify(refusal.body));
      assert.match(refusal.body.message, /disk holding the event log is full \(SQLITE_FULL\)/);
      const r = await ready(hub);
      assert.equal(r.status, 503, 'the old probe (one row in an existing page) said ready here');
      assert.match(r.body.reason, /last write to the event log failed \(SQLITE_FULL/);

      rmSync(ballast);
      // Space is back, but no write has proved it yet.
      assert.equal((await ready(hub)).status, 503);
      const next = await postJson(`${hub.url}/api/shows/full/events`, { type: 'note' }, agent);
      assert.equal(next.status, 201, JSON.stringify(next.body));
      assert.equal((await ready(hub)).status, 200);
      const stored = await readHistory(hub.url, 'full', await hub.token('staff'));
      assert.deepEqual(stored.map((e) => e.id), [...acked, ...next.body.ids]);
    } finally {
      await hub.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a data directory deleted under a running hub', () => {
  it('is detected at the next write: 503 naming it, never a 201, and /readyz unavailable', async () => {
    const dataDir = tempDir();
    const hub = await startHub({ HUB_DATA_DIR: dataDir });
    try {
      const agent = await hub.token('agent');
      for (let i = 0; i < 3; i++) assert.equal((await postJson(`${hub.url}/api/shows/gone/events`, { type: 'note', i }, agent)).status, 201);
      rmSync(dataDir, { recursive: true, force: true });
      for (let i = 0; i < 3; i++) {
        const res = await postJson(`${hub.url}/api/shows/gone/events`, { type: 'note', after: i }, agent);
        assert.equal(res.status, 503, JSON.stringify(res.body));
        assert.equal(res.body.error, 'storage_unavailable');
        assert.ok(res.body.message.includes(dataDir), res.body.message);
        assert.match(res.body.message, /deleted while the hub ran/);
      }
      // Re-creating the directory does not make the deleted log come back: still refused.
      mkdirSync(dataDir);
      assert.equal((await postJson(`${hub.url}/api/agent/data`, { type: 'note' }, agent)).status, 503);
      const r = await ready(hub);
      assert.equal(r.status, 503);
      assert.match(r.body.reason, /deleted while the hub ran/);
    } finally {
      await hub.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
