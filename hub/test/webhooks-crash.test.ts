import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { getJson, postJson, spawnHub, tempDir, type HubProcess, startReceiver } from '@showwire/testkit';
import { openSqliteLog } from '../src/log/sqlite-log.js';

/** Acknowledged means delivered: the outbox rows commit with the events and survive SIGKILL. */
describe('webhooks survive SIGKILL', () => {
  const dataDir = tempDir('showwire-webhooks-crash-');
  const env = {
    HUB_DATA_DIR: dataDir,
    HUB_AUTH: 'off',
    HUB_WEBHOOK_ALLOW_PRIVATE: 'true',
    HUB_WEBHOOK_SCHEDULE: '100,100,100,100,100,100,100,100,100,100',
    HUB_WEBHOOK_JITTER: '0',
  };
  const hubs: HubProcess[] = [];
  after(() => {
    for (const h of hubs) if (h.child.exitCode === null) h.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the hub killed with 1,000 deliveries pending delivers all 1,000 after restart, duplicates only with the same webhook-id', async () => {
    // Before the kill the receiver holds every request open: nothing is acknowledged.
    const receiver = await startReceiver(() => ({ status: 200, hold: true }));
    try {
      const first = await spawnHub(env);
      hubs.push(first);
      const ep = await postJson(`${first.url}/api/webhooks/endpoints`, { url: receiver.url, shows: ['crash-show'] });
      assert.equal(ep.status, 201);
      const events = Array.from({ length: 1000 }, (_, i) => ({ type: 'crash_test', n: i }));
      const posted = await postJson(`${first.url}/api/shows/crash-show/events`, events);
      assert.equal(posted.status, 201);
      const ids: string[] = posted.body.ids;
      assert.equal(new Set(ids).size, 1000);
      const metrics = await getJson(`${first.url}/metrics`);
      assert.match(metrics.body, /^showwire_webhook_queue_depth 1000$/m);
      // Some attempts are on the wire (held) when the hub dies.
      await receiver.until(() => receiver.requests() > 0, 'the first attempts to arrive');

      first.child.kill('SIGKILL');
      assert.equal(await first.exited, 'SIGKILL');

      receiver.respondWith(() => ({ status: 200 }));
      const second = await spawnHub(env);
      hubs.push(second);
      const delivered = () => new Set(receiver.received.map((r) => r.event.id));
      await receiver.until(() => delivered().size === 1000, 'all 1,000 events after restart', 180_000);

      assert.deepEqual([...delivered()].sort(), [...ids].sort());
      for (const r of receiver.received) {
        assert.equal(r.webhookId, `msg_${r.event.id}`, 'a duplicate carries the same webhook-id');
        new Webhook(ep.body.secret).verify(r.body, r.headers as Record<string, string>);
      }
      const depth = await getJson(`${second.url}/metrics`);
      assert.match(depth.body, /^showwire_webhook_queue_depth 0$/m);
      const failed = await getJson(`${second.url}/api/webhooks/deliveries?status=failed`);
      assert.deepEqual(failed.body.deliveries, []);

      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0, 'SIGTERM stops the workers and exits cleanly');
    } finally {
      await receiver.close();
    }
  });

  // The kill above lands after the 201, so it cannot tell "in the transaction" from "right after
  // it"; this can: when the outbox write fails, the events it was for are not stored either.
  it('the commit hook runs inside the log transaction: when it throws, the events roll back', async () => {
    const log = openSqliteLog(join(dataDir, 'hook.db'));
    try {
      const event = { type: 'show_started', show: 'hook-show', source: 'test', timestamp: 1, receivedAt: 1 };
      const off = log.onCommit(() => {
        throw new Error('outbox write failed');
      });
      await assert.rejects(log.append([event]), /outbox write failed/);
      assert.deepEqual(await log.read({ limit: 10 }), []);
      off();
      const [stored] = await log.append([event]);
      assert.deepEqual((await log.read({ limit: 10 })).map((r) => r.id), [stored!.id]);
    } finally {
      await log.close();
    }
  });
});
