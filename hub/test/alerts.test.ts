import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { getJson, postJson, publishAsHub, readHistory, startHub, tempDir, type TestHub, listen, waitFor, startReceiver, type Receiver } from '@showwire/testkit';

/** Short thresholds so rules fire within a test; the tick checks time-based rules ten times a second. */
const FAST = {
  HUB_WEBHOOK_ALLOW_PRIVATE: 'true',
  // A failing endpoint's circuit breaker pauses it; probe again at once so a recovery shows quickly.
  HUB_WEBHOOK_BREAKER_COOLDOWN_MS: '100',
  HUB_ALERT_TICK_MS: '100',
  HUB_ALERT_STREAM_STALLED_MS: '1500',
  HUB_ALERT_AGENT_MISSING_MS: '1500',
  HUB_ALERT_AGENT_SILENT_MS: '800',
  HUB_ALERT_HOST_SILENT_MS: '800',
  HUB_ALERT_LATENCY_P95_MS: '2000',
  HUB_ALERT_LATENCY_MIN_TURNS: '3',
  HUB_ALERT_LATENCY_TURNS: '5',
  HUB_ALERT_TOOL_FAILURES: '3',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alertEvents = (events: any[], show: string, rule?: string) =>
  events.filter((e) => e.show === show && e.type.startsWith('alert_') && (!rule || e.rule === rule || e.alertId?.startsWith(`${rule}.`)));

function harness(env: Record<string, string> = {}) {
  const ctx = {} as { hub: TestHub; admin: string; agent: string };
  before(async () => {
    ctx.hub = await startHub({ ...FAST, ...env });
    ctx.admin = await ctx.hub.token('admin');
    ctx.agent = await ctx.hub.token('agent');
  });
  after(() => ctx.hub.close());
  const post = async (show: string, events: unknown) => {
    const res = await postJson(`${ctx.hub.url}/api/shows/${show}/events`, events, ctx.agent);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.ids as string[];
  };
  const alerts = async (query = '') => {
    const res = await getJson(`${ctx.hub.url}/api/alerts${query}`, ctx.admin);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.alerts as any[];
  };
  const history = (show: string) => readHistory(ctx.hub.url, show, ctx.admin);
  return { ctx, post, alerts, history };
}

const start = (title: string) => [{ type: 'show_started', title }, { type: 'agent_ready' }];
const round = (i: number) => [
  { type: 'transcript', role: 'user', text: `next product ${i}`, final: true },
  { type: 'agent_error', message: 'text-to-speech request timed out; retrying', recoverable: true },
  { type: 'transcript', role: 'agent', text: `here is product ${i}`, final: true },
];

describe('alerts: recoverable errors are history, not trouble', () => {
  const { post, alerts, history } = harness();

  it('three busy shows, each with recoverable errors, raise nothing for longer than every threshold', async () => {
    const shows = ['calm-1', 'calm-2', 'calm-3'];
    for (const s of shows) await post(s, start(s));
    // 3 s of activity, every 200 ms: twice the stall and agent-missing thresholds.
    for (let i = 0; i < 15; i++) {
      for (const s of shows) await post(s, round(i));
      await sleep(200);
    }
    assert.deepEqual(await alerts(), []);
    for (const s of shows) {
      const events = await history(s);
      assert.equal(events.filter((e) => e.type === 'agent_error').length, 15);
      assert.deepEqual(alertEvents(events, s), [], `${s} raised alerts`);
    }
  });
});

describe('alerts: a stalled show and an unrecoverable error', () => {
  const { ctx, post, alerts, history } = harness();
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
    const res = await postJson(`${ctx.hub.url}/api/webhooks/endpoints`, { url: receiver.url, types: ['alert_raised', 'alert_resolved'] }, ctx.admin);
    assert.equal(res.status, 201, JSON.stringify(res.body));
  });
  after(() => receiver.close());

  it('are raised once, listed most urgent first, resolved on recovery, and reach the stream and a webhook receiver', async () => {
    const stream = listen(`${ctx.hub.url}/api/stream?types=alert_raised,alert_resolved,alert_acknowledged`, { token: ctx.admin });
    await stream.opened();
    await post('stalls', start('goes quiet'));
    await post('fails', [...start('agent dies'), { type: 'agent_error', message: 'LLM quota exhausted', recoverable: false }]);

    // The unrecoverable error raises at once (not on a tick); the stall after 1.5 s of quiet.
    await stream.until(() => stream.events.some((e) => e.data.show === 'fails' && e.data.rule === 'agent_error'), 10_000, 'agent_error alert');
    await stream.until(() => stream.events.some((e) => e.data.show === 'stalls' && e.data.rule === 'stream_stalled'), 10_000, 'stream_stalled alert');
    const fatal = stream.events.find((e) => e.data.show === 'fails' && e.data.rule === 'agent_error')!.data;
    assert.equal(fatal.severity, 'critical');
    assert.match(fatal.message, /cannot recover: LLM quota exhausted/);
    assert.equal(fatal.source, 'admin:alerts');

    const open = await alerts();
    const stalled = open.find((a) => a.show === 'stalls' && a.rule === 'stream_stalled');
    assert.ok(stalled, JSON.stringify(open));
    assert.equal(stalled.severity, 'critical');
    // Critical first, then oldest first: the fatal error was raised before the stall.
    assert.equal(open[0].show, 'fails');
    assert.equal(open[0].rule, 'agent_error');
    assert.deepEqual(await alerts('?severity=info'), []);
    const bad = await getJson(`${ctx.hub.url}/api/alerts?severity=loud`, ctx.admin);
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /severity/);

    // Ticks keep coming: nothing is raised twice while the conditions hold.
    await sleep(500);
    assert.equal(stream.events.filter((e) => e.data.show === 'stalls' && e.data.rule === 'stream_stalled').length, 1);
    assert.equal(stream.events.filter((e) => e.data.show === 'fails' && e.data.rule === 'agent_error').length, 1);

    // Recovery: the stalled show speaks again; the failed one gets a new agent session.
    await post('stalls', { type: 'transcript', role: 'user', text: 'back again', final: true });
    await post('fails', { type: 'agent_ready' });
    const resolvedIds = () => new Set(stream.events.filter((e) => e.data.type === 'alert_resolved').map((e) => e.data.alertId));
    await stream.until(() => resolvedIds().has(stalled.alertId) && resolvedIds().has(fatal.alertId), 10_000, 'both resolved');
    assert.ok(!(await alerts()).some((a) => a.alertId === stalled.alertId || a.alertId === fatal.alertId));

    // The same alerts reached the webhook receiver, raised and resolved.
    const hooked = () => receiver.received.map((r) => `${r.event.type}:${r.event.alertId}`);
    await receiver.until(
      () => [stalled.alertId, fatal.alertId].every((id) => hooked().includes(`alert_raised:${id}`) && hooked().includes(`alert_resolved:${id}`)),
      'alerts at the webhook receiver',
    );
    // And they are in the shows' history, in order: raised before resolved.
    const failsHistory = alertEvents(await history('fails'), 'fails', 'agent_error').map((e) => e.type);
    assert.deepEqual(failsHistory, ['alert_raised', 'alert_resolved']);
    stream.close();
  });

  it('acknowledging: once, by a person, seen by everyone; clear refusals otherwise', async () => {
    await post('ack-show', start('ack'));
    await post('ack-show', { type: 'agent_error', message: 'TTS provider down', recoverable: false });
    const alert = await waitFor('open alert', async () => (await alerts('?show=ack-show')).find((a) => a.rule === 'agent_error'));
    const url = `${ctx.hub.url}/api/shows/ack-show/alerts/${alert.alertId}/ack`;

    const viewer = await postJson(url, {}, await ctx.hub.token('viewer', ['ack-show']));
    assert.equal(viewer.status, 403);
    const otherHost = await postJson(url, {}, await ctx.hub.token('host', ['other-show']));
    assert.equal(otherHost.status, 403);
    assert.match(otherHost.body.message, /does not cover show "ack-show"/);
    const unknown = await postJson(`${ctx.hub.url}/api/shows/ack-show/alerts/agent_error.nope/ack`, {}, ctx.admin);
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.message, /not open on show "ack-show"/);

    const staff = await ctx.hub.token('staff', ['*'], 3600, 'sam@support');
    const ok = await postJson(url, {}, staff);
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(ok.body.by, 'sam@support');
    const again = await postJson(url, {}, await ctx.hub.token('host', ['ack-show'], 3600, 'hana'));
    assert.equal(again.status, 409);
    assert.match(again.body.message, /acknowledged by sam@support/);

    const listed = (await alerts('?show=ack-show')).find((a) => a.alertId === alert.alertId);
    assert.equal(listed.acknowledged.by, 'sam@support');
    // Acknowledged is not resolved: it stays open until the condition clears.
    const acks = (await history('ack-show')).filter((e) => e.type === 'alert_acknowledged');
    assert.deepEqual(acks.map((e) => [e.alertId, e.by]), [[alert.alertId, 'sam@support']]);
  });
});

describe('alerts: the agent, the host and the tools', () => {
  const { ctx, post, alerts, history } = harness({ HUB_ALERT_STREAM_STALLED_MS: '0' });
  const openRules = async (show: string) => (await alerts(`?show=${show}`)).map((a) => a.rule).sort();
  const until = (show: string, rules: string[]) => waitFor(`${show} open alerts ${rules.join(',') || 'none'}`, async () => JSON.stringify(await openRules(show)) === JSON.stringify(rules), 10_000);

  it('agent_silent: the host spoke and the agent did not answer; not while paused; resolved by an answer', async () => {
    await post('silent', start('silent'));
    await post('silent', { type: 'transcript', role: 'user', text: 'make a red scarf', final: true });
    await until('silent', ['agent_silent']);
    await post('silent', { type: 'transcript', role: 'agent', text: 'done', final: true });
    await until('silent', []);

    // Paused by a control that reached the agent: the host may talk, nobody is alerted.
    // Only the hub writes control events: an agent cannot pause its own alerts.
    const forged = await postJson(`${ctx.hub.url}/api/shows/silent/events`, { type: 'control', action: 'pause', by: 'sam', ok: true }, ctx.agent);
    assert.equal(forged.status, 403);
    assert.match(forged.body.message, /"control" is written by the hub itself/);
    await publishAsHub(ctx.hub, 'silent', [{ type: 'control', action: 'pause', by: 'sam', ok: true }]);
    await post('silent', { type: 'transcript', role: 'user', text: 'talking to viewers now', final: true });
    await sleep(1500);
    assert.deepEqual(await openRules('silent'), []);
    // Resumed: the unanswered line counts again.
    await publishAsHub(ctx.hub, 'silent', [{ type: 'control', action: 'resume', by: 'sam', ok: true }]);
    await until('silent', ['agent_silent']);
  });

  it('agent_missing: no agent came, or its session closed; resolved when one is ready', async () => {
    await post('no-agent', { type: 'show_started', title: 'alone' });
    await until('no-agent', ['agent_missing']);
    await post('no-agent', { type: 'agent_ready' });
    await until('no-agent', []);
    await post('no-agent', { type: 'agent_session_closed', reason: 'participant left' });
    await until('no-agent', ['agent_missing']);
    const raised = alertEvents(await history('no-agent'), 'no-agent', 'agent_missing').filter((e) => e.type === 'alert_raised');
    assert.match(raised[1].message, /session closed/);
  });

  it('latency_high and tool_failures: raised over their thresholds, resolved below them', async () => {
    await post('slow', start('slow'));
    await post('slow', [1, 2].map(() => ({ type: 'turn_metrics', e2eMs: 4000 })));
    await sleep(400);
    assert.deepEqual(await openRules('slow'), [], 'two turns are under the minimum of three');
    await post('slow', { type: 'turn_metrics', e2eMs: 4000 });
    await until('slow', ['latency_high']);
    // Five quick turns fill the window of five.
    await post('slow', [1, 2, 3, 4, 5].map(() => ({ type: 'turn_metrics', e2eMs: 600 })));
    await until('slow', []);

    const fail = { type: 'tool_call', name: 'create_product', args: {}, isError: true, durationMs: 10 };
    await post('slow', [fail, fail]);
    await sleep(400);
    assert.deepEqual(await openRules('slow'), []);
    await post('slow', fail);
    await until('slow', ['tool_failures']);
  });

  it('host_silent: from the room monitor audio levels; ended shows resolve everything', async () => {
    await post('quiet-host', start('quiet'));
    await post('quiet-host', { type: 'audio_level', speakingFraction: 0, levelDbfs: -70 });
    await until('quiet-host', ['host_silent']);
    await post('quiet-host', { type: 'audio_level', speakingFraction: 0.6, levelDbfs: -20 });
    await until('quiet-host', []);
    await post('quiet-host', { type: 'agent_error', message: 'gone', recoverable: false });
    await until('quiet-host', ['agent_error']);
    await post('quiet-host', { type: 'show_ended' });
    await until('quiet-host', []);
    // Late events after the end don't bring an ended show back to alerting.
    await post('quiet-host', { type: 'agent_session_closed', reason: 'room deleted' });
    await sleep(1500);
    assert.deepEqual(await openRules('quiet-host'), []);
  });
});

describe('alerts: across a restart', () => {
  it('an open alert stays open (not raised again) and resolves after the restart', async () => {
    const dataDir = tempDir();
    let hub = await startHub({ ...FAST, HUB_DATA_DIR: dataDir });
    const agent = await hub.token('agent');
    await postJson(`${hub.url}/api/shows/restart/events`, start('restart'), agent);
    const admin1 = await hub.token('admin');
    await waitFor('stall', async () => (await readHistory(hub.url, 'restart', admin1)).some((e) => e.type === 'alert_raised'), 10_000);
    await hub.close();

    hub = await startHub({ ...FAST, HUB_DATA_DIR: dataDir });
    try {
      const admin = await hub.token('admin');
      await sleep(800);
      const listed = (await getJson(`${hub.url}/api/alerts?show=restart`, admin)).body.alerts;
      assert.deepEqual(listed.map((a: any) => a.rule), ['stream_stalled']);
      await postJson(`${hub.url}/api/shows/restart/events`, { type: 'transcript', role: 'user', text: 'hi', final: true }, await hub.token('agent'));
      await waitFor('resolved', async () => (await getJson(`${hub.url}/api/alerts?show=restart`, admin)).body.alerts.length === 0, 10_000);
      const kinds = alertEvents(await readHistory(hub.url, 'restart', admin), 'restart').map((e) => e.type);
      assert.deepEqual(kinds, ['alert_raised', 'alert_resolved']);
    } finally {
      await hub.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('alerts: webhook_failing', () => {
  const { ctx, post, alerts } = harness({ HUB_ALERT_WEBHOOK_FAILING_MS: '500', HUB_WEBHOOK_SCHEDULE: '100,100,100,100,100,100,100,100', HUB_WEBHOOK_JITTER: '0' });

  it('an endpoint failing every delivery raises on the default show; a success resolves it', async () => {
    const receiver = await startReceiver(() => ({ status: 500 }));
    try {
      const res = await postJson(`${ctx.hub.url}/api/webhooks/endpoints`, { url: receiver.url, types: ['shop.ping'] }, ctx.admin);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      await post('hooked', { type: 'shop.ping' });
      const alert = await waitFor('webhook_failing', async () => (await alerts('?show=default')).find((a) => a.rule === 'webhook_failing'), 10_000);
      assert.match(alert.message, new RegExp(`${res.body.id}.*failed every delivery`));
      assert.equal(alert.severity, 'warning');
      receiver.respondWith(() => ({ status: 200 }));
      await post('hooked', { type: 'shop.ping' });
      await waitFor('resolved', async () => !(await alerts('?show=default')).some((a) => a.rule === 'webhook_failing'), 10_000);
    } finally {
      await receiver.close();
    }
  });
});
