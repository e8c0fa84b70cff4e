import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Role } from '@showwire/protocol';
import { mintToken, getJson, readHistory, spawnHub, startHub, startProxy, tempDir, type HubProcess } from '@showwire/testkit';
import { createHubClient, type DropReport } from '../src/hub-client.js';

const SECRET = 'agent-hub-client-test-secret-0123456789abcdef';
const key = new TextEncoder().encode(SECRET);
const token = async (role: Role, shows: string[] = ['*']) => (await mintToken(key, { sub: `${role}-test`, role, shows }, 3600)).token;

/** Every stored event of a show, read with a staff token. */
const history = async (url: string, show: string) => readHistory(url, show, await token('staff'));

describe('hub client', () => {
  const hubs: HubProcess[] = [];
  const proxies: Array<{ close: () => Promise<void> }> = [];
  after(async () => {
    for (const p of proxies) await p.close();
    for (const h of hubs) if (h.child.exitCode === null) h.child.kill('SIGKILL');
  });

  it('hub down for 10 s while 500 events are produced: all 500 arrive once, in order', async () => {
    const dataDir = tempDir('showwire-agent-');
    // The host's lines go unanswered for longer than the agent-silent alert's 15 s on a busy
    // machine: its alert_raised would land among the 500 and fail the count for no fault of the client.
    const env = { HUB_DATA_DIR: dataDir, HUB_SECRET: SECRET, HUB_ALERT_AGENT_SILENT_MS: '0' };
    const first = await spawnHub(env);
    hubs.push(first);
    // The client's one URL across the restart: the second hub binds a port of its own (the first's
    // could be taken by then).
    const proxy = await startProxy(first.url);
    proxies.push(proxy);
    const errors: Error[] = [];
    const drops: DropReport[] = [];
    const client = createHubClient({
      url: proxy.url, token: await token('agent', ['show-down']), show: 'show-down',
      minBackoffMs: 100, maxBackoffMs: 1_000, onError: (e) => errors.push(e), onDrop: (d) => drops.push(d),
    });
    let seq = 0;
    const produce = (n: number) => {
      for (let i = 0; i < n; i++) client.publish({ type: 'transcript', role: 'user', text: `line ${seq}`, final: true, seq: seq++ });
    };

    produce(100);
    assert.equal(await client.flush(30_000), true, 'the first 100 reach the running hub');

    first.child.kill('SIGKILL');
    await first.exited;
    // Ten seconds without a hub, events trickling in as a live show would produce them.
    for (let tick = 0; tick < 40; tick++) {
      produce(10);
      await sleep(250);
    }
    assert.equal(seq, 500);
    assert.ok(client.stats().queued >= 400, `held while down: ${JSON.stringify(client.stats())}`);

    const second = await spawnHub(env);
    hubs.push(second);
    proxy.retarget(second.url);
    assert.equal(await client.flush(60_000), true, 'the queue drains once the hub is back');
    const stats = await client.close(10_000);

    const events = await history(second.url, 'show-down');
    assert.deepEqual(events.map((e) => e.seq), Array.from({ length: 500 }, (_, i) => i), 'all 500, once each, in order');
    assert.equal(new Set(events.map((e) => e.eventId)).size, 500);
    assert.deepEqual(drops, []);
    assert.equal(stats.dropped, 0);
    assert.equal(stats.sent, 500);
    assert.ok(errors.length > 0 && stats.failedAttempts === errors.length, 'the outage was seen and retried');
    second.child.kill('SIGTERM');
    await second.exited;
  });

  it('past its bound it drops the oldest, reports them, and tells the hub how many when it returns', async () => {
    // No hub yet behind the client's URL; it comes later, on a port of its own.
    const proxy = await startProxy();
    proxies.push(proxy);
    const drops: DropReport[] = [];
    const client = createHubClient({ url: proxy.url, token: await token('agent', ['show-full']), show: 'show-full', maxBuffer: 50, minBackoffMs: 100, maxBackoffMs: 500, onDrop: (d) => drops.push(d) });
    for (let i = 0; i < 80; i++) client.publish({ type: 'agent_state', state: 'listening', seq: i });
    assert.equal(client.stats().queued, 50);
    assert.equal(drops.reduce((n, d) => n + d.count, 0), 30);
    assert.ok(drops.every((d) => d.reason === 'buffer_full'));

    const hub = await spawnHub({ HUB_DATA_DIR: tempDir('showwire-agent-'), HUB_SECRET: SECRET });
    hubs.push(hub);
    proxy.retarget(hub.url);
    assert.equal(await client.flush(60_000), true);
    await client.close();
    const events = await history(hub.url, 'show-full');
    const kept = events.filter((e) => e.type === 'agent_state');
    assert.deepEqual(kept.map((e) => e.seq), Array.from({ length: 50 }, (_, i) => i + 30), 'the newest 50, in order');
    const notice = events.filter((e) => e.type === 'events_dropped');
    assert.equal(notice.length, 1);
    assert.equal(notice[0].count, 30);
    assert.deepEqual(notice[0].types, ['agent_state']);
    hub.child.kill('SIGTERM');
    await hub.exited;
  });

  it('an event the hub refuses is set aside and reported; its neighbours still arrive, in order', async () => {
    const hub = await startHub();
    try {
      const drops: DropReport[] = [];
      const client = createHubClient({ url: hub.url, token: await hub.token('agent', ['show-bad']), show: 'show-bad', onDrop: (d) => drops.push(d) });
      client.publish({ type: 'agent_state', state: 'listening', seq: 1 });
      client.publish({ type: 'agent_state', state: 'dancing', seq: 2 });
      client.publish({ type: 'agent_state', state: 'thinking', seq: 3 });
      assert.equal(await client.flush(30_000), true);
      await client.close();
      const res = await getJson(`${hub.url}/api/shows/show-bad/events?after=0`, await hub.token('staff'));
      assert.deepEqual(res.body.events.map((e: any) => e.seq ?? e.type), [1, 3, 'events_dropped']);
      assert.deepEqual([res.body.events[2].reason, res.body.events[2].count], ['rejected', 1], 'the hub hears of it too');
      assert.equal(drops.length, 1);
      assert.equal(drops[0]!.reason, 'rejected');
      assert.deepEqual(drops[0]!.types, ['agent_state']);
      assert.match(drops[0]!.detail!, /^400 .*state/);
    } finally {
      await hub.close();
    }
  });
});
