import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createPool, runFloor, type FloorLayout, type Pool } from '@showwire/stream-test/load';
import { startHub, type Server } from '../servers.js';

/**
 * The support floor's accounting, at a tiny size on the built hub with write coalescing on: every
 * wall hears every show, every viewer its own, and a wall that misses shows is reported as loss.
 * This checks the harness, not the speed.
 */
let hub: Server;
let pool: Pool;
before(async () => {
  hub = await startHub({ HUB_WRITE_DELAY_MS: '20' });
  pool = createPool(1);
});
after(async () => {
  await pool?.terminate();
  await hub?.stop();
});

const layout = (prefix: string, wallUrl = `${hub.base}/api/stream`): FloorLayout => ({
  name: 'hub',
  wallUrl,
  showUrl: (k) => `${hub.base}/api/shows/${prefix}-${k}/stream`,
  publish: (k) => ({ name: 'hub', subUrl: '', pubUrl: `${hub.base}/api/shows/${prefix}-${k}/events` }),
});

test('4 shows, 2 walls and 2 viewers per show: every delivery once, in order per show', async () => {
  const x = await runFloor(pool, layout('floor-t'), { shows: 4, rate: 10, walls: 2, perShow: 2, seconds: 2 }, hub.pids);
  assert.equal(x.zeroLoss, true, JSON.stringify(x));
  assert.equal(x.published, 80);
  // Walls get all 80; each of the 8 viewers its show's 20.
  assert.equal(x.delivered, 80 * 2 + 20 * 8);
  assert.equal(x.outOfSequence, 0);
  assert.ok(x.serverCpuUsPerDelivery! > 0, 'the hub CPU is read');
  assert.ok(x.p99Ms! >= x.p50Ms!);
});

test('a wall that hears only half the shows is loss, not success', async () => {
  const half = `${hub.base}/api/stream?shows=floor-h-0,floor-h-1`;
  const x = await runFloor(pool, layout('floor-h', half), { shows: 4, rate: 10, walls: 1, perShow: 1, seconds: 1, drainMs: 1000 }, hub.pids);
  assert.equal(x.zeroLoss, false);
  assert.equal(x.lost, 20, JSON.stringify(x));
});
