import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mintToken } from '../src/auth/tokens.js';
import { getJson, postJson, readHistory, spawnHub, startHub, type HubProcess, startRedis, type RedisServer, listen, waitFor } from '@showwire/testkit';

const SECRET = 's'.repeat(40);
const token = async (role: 'agent' | 'admin') => (await mintToken(new TextEncoder().encode(SECRET), { sub: `${role}-t`, role, shows: ['*'] }, 3600)).token;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Every hub on one Redis runs the alert engine and the summary writer on the same stream. A fast
 * tick on both makes them evaluate the same moment many times: without deterministic eventIds the
 * stall would be raised (and resolved) once per hub.
 */
describe('alerts and summaries on two hubs sharing one Redis', () => {
  let redis: RedisServer;
  const hubs: HubProcess[] = [];
  let agent: string;
  let admin: string;
  before(async () => {
    redis = await startRedis();
    agent = await token('agent');
    admin = await token('admin');
    const env = {
      HUB_STORE: redis.url,
      HUB_SECRET: SECRET,
      HUB_DATA_DIR: `/tmp/showwire-unused-${process.pid}`,
      HUB_ALERT_TICK_MS: '50',
      HUB_ALERT_STREAM_STALLED_MS: '1000',
    };
    hubs.push(await spawnHub(env), await spawnHub(env));
  });
  after(async () => {
    for (const h of hubs) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
    await redis.destroy();
  });

  it('a stalled show raises exactly one alert_raised and one alert_resolved; its show_ended gets one show_summary', async () => {
    const [a, b] = [hubs[0]!, hubs[1]!];
    const onB = listen(`${b.url}/api/shows/quiet/stream?lastEventId=0`, { token: admin });
    await onB.opened();
    const post = async (h: HubProcess, events: unknown) => {
      const res = await postJson(`${h.url}/api/shows/quiet/events`, events, agent);
      assert.equal(res.status, 201, JSON.stringify(res.body));
    };
    await post(a, [{ type: 'show_started', title: 'goes quiet' }, { type: 'agent_ready' }]);
    const stalls = () => onB.events.filter((e) => e.data.type.startsWith('alert_'));
    await onB.until(() => stalls().some((e) => e.data.type === 'alert_raised'), 15_000, 'the stall raised');
    // Both hubs tick every 50 ms while the stall lasts: give them many chances to raise it again.
    await sleep(700);
    const raised = stalls().filter((e) => e.data.type === 'alert_raised');
    assert.equal(raised.length, 1, JSON.stringify(raised.map((e) => e.data)));
    assert.equal(raised[0]!.data.rule, 'stream_stalled');
    const alertId = raised[0]!.data.alertId as string;
    for (const h of [a, b]) {
      const open = (await getJson(`${h.url}/api/alerts`, admin)).body.alerts as any[];
      assert.deepEqual(open.map((x) => x.alertId), [alertId], 'both hubs list the one open alert');
    }

    // The show speaks again (on B): the stall clears, and both hubs see it clear at once.
    await post(b, { type: 'transcript', role: 'user', text: 'back again', final: true });
    await onB.until(() => stalls().some((e) => e.data.type === 'alert_resolved'), 15_000, 'the stall resolved');
    // It stalls again later, but not within this short wait: only duplicates of the resolve could come.
    await sleep(300);
    const resolved = stalls().filter((e) => e.data.type === 'alert_resolved');
    assert.deepEqual(resolved.map((e) => e.data.alertId), [alertId], 'one alert_resolved, for the alert raised');

    // The show ends (on A): each hub's summary writer hears show_ended; the log keeps one summary.
    await post(a, { type: 'show_ended' });
    await onB.until(() => onB.events.some((e) => e.data.type === 'show_summary'), 15_000, 'the summary');
    await sleep(500);
    const history = await readHistory(a.url, 'quiet', admin);
    assert.equal(history.filter((e) => e.type === 'show_summary').length, 1, 'one show_summary per show_ended');
    const alertHistory = history.filter((e) => e.type.startsWith('alert_')).map((e) => `${e.type}:${e.alertId}`);
    assert.deepEqual(alertHistory, [`alert_raised:${alertId}`, `alert_resolved:${alertId}`]);
    onB.close();
    await waitFor('nothing open on either hub', async () => {
      for (const h of [a, b]) if (((await getJson(`${h.url}/api/alerts`, admin)).body.alerts as any[]).length) return false;
      return true;
    });
  });
});

/**
 * Two hubs that evaluate at different points of the log can name one condition differently and
 * both raise it. Too narrow a race to stage with processes, so a hub is handed the second raise
 * directly, as another hub would store it: the first raise stands and the second is resolved.
 */
describe('alerts: a condition raised twice under two ids', () => {
  it('the later raise is resolved at once and the first stays open', async () => {
    const hub = await startHub({ HUB_ALERT_TICK_MS: '50', HUB_ALERT_STREAM_STALLED_MS: '800' });
    try {
      const admin = await hub.token('admin');
      const stream = listen(`${hub.url}/api/shows/race/stream?lastEventId=0&types=alert_raised,alert_resolved`, { token: admin });
      await stream.opened();
      const res = await postJson(`${hub.url}/api/shows/race/events`, [{ type: 'show_started', title: 'race' }, { type: 'agent_ready' }], await hub.token('agent'));
      assert.equal(res.status, 201);
      await stream.until(() => stream.events.length >= 1, 10_000, 'the stall raised');
      const first = stream.events[0]!.data.alertId as string;
      assert.equal(first, `stream_stalled.${res.body.ids[1]}`, 'the id is the rule and the last event before the stall');
      const other = 'stream_stalled.zzzzzzzz-1';
      await hub.app.hub.publish([{ type: 'alert_raised', show: 'race', alertId: other, eventId: `alert_raised:${other}`, rule: 'stream_stalled', severity: 'critical', message: 'from another hub' }], { sub: 'alerts', role: 'admin', shows: null, hub: true });
      await stream.until(() => stream.events.some((e) => e.data.type === 'alert_resolved'), 10_000, 'the second raise resolved');
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(stream.events.map((e) => `${e.data.type}:${e.data.alertId}`), [`alert_raised:${first}`, `alert_raised:${other}`, `alert_resolved:${other}`]);
      const open = (await getJson(`${hub.url}/api/alerts`, admin)).body.alerts as any[];
      assert.deepEqual(open.map((a) => a.alertId), [first]);
      stream.close();
    } finally {
      await hub.close();
    }
  });
});
