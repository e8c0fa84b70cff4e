import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dispose } from '@livekit/rtc-node';
import { startHub, type TestHub, startLiveKit, type LiveKitServer, listen, startFakeOpenAI, type FakeOpenAI } from '@showwire/testkit';
import { agentIn, hubToken, joinRoom, leaves, plainToken, speech, startWorker, type Participant, type Worker } from '@showwire/testkit/show-room';

/**
 * The agent in a real show (issue 11): a real livekit-server, the hub, the agent worker as a
 * process and espeak-ng speech; only OpenAI is faked. Viewers are always in the room, joining and
 * leaving around the host's turns; the agent must hear the host and only the host, wait for it
 * when it steps out, and tell the hub when its session ends. Everything is asserted on what
 * reaches the hub's SSE stream and show state.
 */
const REQUEST = 'Please create a blue linen shirt for forty nine euros fifty.';
const AGENT_NAME = `showwire-room-${process.pid}`;
/** Short, so "the host left for good" is seen within the test; "back within the grace" is well inside it. */
const GRACE_S = 10;
const TURN_MS = 120_000;

type Data = Record<string, any>;

describe('the agent in a real show: viewers around the host', () => {
  let livekit: LiveKitServer;
  let hub: TestHub;
  let fake: FakeOpenAI;
  let worker: Worker | undefined;
  let pcm: Int16Array;
  const people: Participant[] = [];
  // Closed in `after` too: an open EventSource after a failure would keep the process alive.
  const streams: Array<{ close: () => void }> = [];

  before(async () => {
    [livekit, fake] = await Promise.all([startLiveKit(), startFakeOpenAI({ transcript: REQUEST })]);
    hub = await startHub({ LIVEKIT_URL: livekit.url, LIVEKIT_API_KEY: livekit.apiKey, LIVEKIT_API_SECRET: livekit.apiSecret });
    pcm = speech(REQUEST);
    worker = await startWorker({ livekit, hub, fake, agentName: AGENT_NAME, env: { AGENT_HOST_GRACE_S: String(GRACE_S) } });
  });
  after(async () => {
    for (const s of streams) s.close();
    for (const p of people) await p.leave();
    await worker?.stop();
    await dispose();
    await Promise.all([livekit?.stop(), hub?.close(), fake?.close()]);
  });

  const admin = () => hub.token('admin');
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${hub.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await admin()}` }, body: JSON.stringify(body) });
    const json = (await res.json()) as Data;
    assert.ok(res.ok, `${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const dispatch = (show: string, metadata?: Data) => post('/api/streaming/dispatch-agent', { roomName: show, agentName: AGENT_NAME, ...(metadata && { metadata }) });
  const showState = async (show: string) => (await (await fetch(`${hub.url}/api/shows/${show}`, { headers: { authorization: `Bearer ${await admin()}` } })).json()) as Data;

  const enter = async (show: string, identity: string, how: 'hub-host' | 'hub-viewer' | 'plain-host' | 'plain-viewer') => {
    const token = how.startsWith('hub') ? await hubToken(hub, show, identity, how === 'hub-host' ? 'host' : 'viewer') : await plainToken(livekit, show, identity, how === 'plain-host');
    const p = await joinRoom(livekit.url, token, identity, { microphone: how.endsWith('host') });
    people.push(p);
    return p;
  };

  async function watchShow(show: string) {
    const sse = listen(`${hub.url}/api/shows/${show}/stream`, { token: await hub.token('staff') });
    streams.push(sse);
    await sse.opened();
    const data = () => sse.events.map((e) => e.data as Data);
    const count = (type: string) => data().filter((d) => d.type === type).length;
    const context = () => `got: ${data().map((d) => d.type).join(', ')}\n--- worker ---\n${worker!.log.telling().slice(-4000)}`;
    /** Waits until `n` turns are complete: the agent spoke its reply and the turn's metrics are in. */
    const turns = (n: number) =>
      sse.until(() => count('turn_metrics') >= n && count('agent_speech_finished') >= n, TURN_MS, `turn ${n}`).catch((e: Error) => {
        throw new Error(`${e.message}; ${context()}`);
      });
    const until = (pred: (d: Data) => boolean, what: string, ms = TURN_MS) =>
      sse.until(() => data().some(pred), ms, what).catch((e: Error) => {
        throw new Error(`${e.message}; ${context()}`);
      });
    return { sse, data, count, turns, until, context };
  }

  /**
   * Turn `n` (1-based) happened in full, in order, heard from `host`: the user's transcript, the
   * tool call creating the product, the product on the carousel, the agent speaking, its metrics.
   */
  function assertTurn(events: Data[], n: number, host: string, context: () => string) {
    const nth = (pred: (d: Data) => boolean, what: string) => {
      const idx = events.map((d, i) => (pred(d) ? i : -1)).filter((i) => i >= 0);
      assert.ok(idx.length >= n, `turn ${n}: missing ${what}; ${context()}`);
      return idx[n - 1]!;
    };
    const user = nth((d) => d.type === 'transcript' && d.role === 'user' && d.final, 'user transcript');
    const call = nth((d) => d.type === 'tool_call' && d.name === 'create_product', 'tool_call create_product');
    const created = nth((d) => d.type === 'product_created', 'product_created');
    const added = nth((d) => d.type === 'product_added_to_show', 'product_added_to_show');
    const started = nth((d) => d.type === 'agent_speech_started', 'agent_speech_started');
    const finished = nth((d) => d.type === 'agent_speech_finished', 'agent_speech_finished');
    const metrics = nth((d) => d.type === 'turn_metrics', 'turn_metrics');
    assert.equal(events[user]!.text, REQUEST);
    assert.equal(events[user]!.participant, host, 'the transcript is the host speaking');
    assert.equal(events[call]!.isError, false, JSON.stringify(events[call]));
    assert.equal(events[added]!.productId, events[created]!.product.id);
    assert.ok(user < created && created < call && call < added && added < started && started < finished, `turn ${n} order; ${context()}`);
    const m = events[metrics]!;
    assert.ok(m.e2eMs > 0 && m.e2eMs < 30_000, `turn ${n}: e2eMs ${m.e2eMs}`);
    assert.ok(m.eouDelayMs >= 0 && m.eouDelayMs < 30_000, `turn ${n}: eouDelayMs ${m.eouDelayMs}`);
    assert.ok(m.sttMs > 0 && m.sttMs < 30_000, `turn ${n}: sttMs ${m.sttMs}`);
    assert.ok(m.llmTtftMs >= 0 && m.llmTtftMs < 30_000, `turn ${n}: llmTtftMs ${m.llmTtftMs}`);
    assert.ok(m.ttsTtfbMs >= 0 && m.ttsTtfbMs < 30_000, `turn ${n}: ttsTtfbMs ${m.ttsTtfbMs}`);
    // The host hears the agent after it stopped speaking and the tools ran: e2e covers the EOU delay.
    assert.ok(m.e2eMs >= m.eouDelayMs, `turn ${n}: e2e ${m.e2eMs} < eou ${m.eouDelayMs}`);
  }

  /** Nearest-rank p95, by hand: the smallest value with at least 95% of values at or below it. */
  const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(0.95 * values.length) - 1];

  // Join orders and ways of naming the host vary per run; each run is one show, ended at its end.
  const RUNS: Array<{ what: string; host: 'hub-host' | 'plain-host'; named: boolean; order: string[]; viewers: Array<'hub-viewer' | 'plain-viewer'> }> = [
    { what: 'viewers first, host named in the dispatch', host: 'hub-host', named: true, order: ['v1', 'v2', 'host'], viewers: ['hub-viewer', 'hub-viewer'] },
    { what: 'host first, host known by its hub token', host: 'hub-host', named: false, order: ['host', 'v1', 'v2'], viewers: ['hub-viewer', 'hub-viewer'] },
    { what: 'a hand-made subscribe-only viewer first, host known by its microphone', host: 'plain-host', named: false, order: ['v1', 'v2', 'host'], viewers: ['plain-viewer', 'hub-viewer'] },
    { what: 'host between the viewers, host known by its hub token', host: 'hub-host', named: false, order: ['v2', 'host', 'v1'], viewers: ['hub-viewer', 'plain-viewer'] },
    { what: 'host named in the dispatch, joining after it', host: 'hub-host', named: true, order: ['v2', 'v1', 'dispatch', 'host'], viewers: ['hub-viewer', 'hub-viewer'] },
  ];

  it('two viewers before the dispatch and a third during the turn: the agent hears the host, every time (5 runs)', async () => {
    for (const [i, run] of RUNS.entries()) {
      const show = `show-room-${i}`;
      const host = `host-${i}`;
      const w = await watchShow(show);
      let hostP: Participant | undefined;
      const viewers: Participant[] = [];
      let dispatched = false;
      const doDispatch = async () => {
        dispatched = true;
        await dispatch(show, run.named ? { title: `Run ${i}`, hostIdentity: host } : { title: `Run ${i}` });
      };
      for (const who of run.order) {
        if (who === 'dispatch') await doDispatch();
        else if (who === 'host') hostP = await enter(show, host, run.host);
        else viewers.push(await enter(show, `viewer-${i}-${who}`, run.viewers[who === 'v1' ? 0 : 1]!));
      }
      if (!dispatched) await doDispatch();
      await agentIn(hostP!.room, worker);
      await w.until((d) => d.type === 'agent_ready', 'agent_ready');

      let third: Promise<Participant> | undefined;
      await hostP!.speak(pcm, () => {
        third = enter(show, `viewer-${i}-v3`, 'hub-viewer');
      });
      viewers.push(await third!);
      await w.turns(1);
      assertTurn(w.data(), 1, host, () => `run ${i} (${run.what}); ${w.context()}`);
      assert.equal(w.count('agent_session_closed'), 0, `run ${i}: the session stays open`);

      // The show ends: the room is deleted; the agent's session closes and the hub is told why.
      await post(`/api/streaming/rooms/${show}/end`, {});
      await w.until((d) => d.type === 'agent_session_closed', 'agent_session_closed', 60_000);
      const closed = w.data().filter((d) => d.type === 'agent_session_closed');
      assert.deepEqual(closed.map((d) => d.reason), ['room_ended'], `run ${i}`);
      const state = await showState(show);
      assert.equal(state.agentReady, false);
      assert.equal(state.agentClosed?.reason, 'room_ended');
      assert.equal(state.latency.e2eMs.p95, w.data().find((d) => d.type === 'turn_metrics')!.e2eMs);
      w.sse.close();
      for (const p of [hostP!, ...viewers]) await p.leave();
    }
  });

  it('a viewer leaving mid-turn changes nothing: the turn completes and the next spoken request works', async () => {
    const show = 'show-room-leave';
    const w = await watchShow(show);
    const v1 = await enter(show, 'viewer-l1', 'hub-viewer');
    await enter(show, 'viewer-l2', 'plain-viewer');
    const host = await enter(show, 'host-l', 'hub-host');
    await dispatch(show);
    await agentIn(host.room, worker);
    await w.until((d) => d.type === 'agent_ready', 'agent_ready');

    let left: Promise<void> | undefined;
    await host.speak(pcm, () => {
      left = v1.leave();
    });
    await left;
    await w.turns(1);
    await enter(show, 'viewer-l3', 'hub-viewer'); // and one joins between the turns
    await host.speak(pcm);
    await w.turns(2);
    const events = w.data();
    assertTurn(events, 1, 'host-l', w.context);
    assertTurn(events, 2, 'host-l', w.context);
    assert.equal(w.count('agent_session_closed'), 0);
    assert.equal(w.count('product_created'), 2);

    // The show state's percentiles are those of the events.
    const e2e = events.filter((d) => d.type === 'turn_metrics').map((d) => d.e2eMs as number);
    const state = await showState(show);
    assert.deepEqual(state.latency.e2eMs, { p50: [...e2e].sort((a, b) => a - b)[0], p95: p95(e2e), count: 2 });
    assert.equal(state.turns.length, 2);
    assert.equal(state.agentReady, true);

    // The show ends with the host still there: the session closes as the room goes.
    await post(`/api/streaming/rooms/${show}/end`, {});
    await w.until((d) => d.type === 'agent_session_closed', 'agent_session_closed', 60_000);
    assert.deepEqual(w.data().filter((d) => d.type === 'agent_session_closed').map((d) => d.reason), ['room_ended']);
    w.sse.close();
  });

  it('the host stepping out and back within the grace keeps the agent; leaving for good ends its session and the hub knows', async () => {
    const show = 'show-room-grace';
    const w = await watchShow(show);
    const viewer = await enter(show, 'viewer-g1', 'hub-viewer');
    let host = await enter(show, 'host-g', 'hub-host');
    await dispatch(show, { hostIdentity: 'host-g' });
    const agent = await agentIn(viewer.room, worker);
    await w.until((d) => d.type === 'agent_ready', 'agent_ready');

    // Out and back (a reload of the host's app), well inside the grace.
    await host.leave();
    host = await enter(show, 'host-g', 'hub-host');
    await host.speak(pcm);
    await w.turns(1);
    assertTurn(w.data(), 1, 'host-g', w.context);
    assert.equal(w.count('agent_session_closed'), 0, 'the agent waited for the host');

    // Gone for good: after the grace the session ends, the agent leaves the room, the hub is told.
    const agentLeft = leaves(viewer.room, agent.identity);
    const leftAt = Date.now();
    await host.leave();
    await w.until((d) => d.type === 'agent_session_closed', 'agent_session_closed', GRACE_S * 1000 + 60_000);
    assert.ok(Date.now() - leftAt >= GRACE_S * 1000 - 500, 'not before the grace ran out');
    await agentLeft;
    const closed = w.data().filter((d) => d.type === 'agent_session_closed');
    assert.deepEqual(closed.map((d) => d.reason), ['host_gone']);
    const state = await showState(show);
    assert.equal(state.agentReady, false, 'the show has no agent');
    assert.equal(state.agentClosed?.reason, 'host_gone');
    const e2e = w.data().filter((d) => d.type === 'turn_metrics').map((d) => d.e2eMs as number);
    assert.equal(state.latency.e2eMs.p95, p95(e2e));
    w.sse.close();
  });

  it('with only viewers in the room the agent links nobody, and after the grace it leaves saying no host came', async () => {
    const show = 'show-room-nohost';
    const w = await watchShow(show);
    const viewer = await enter(show, 'viewer-n1', 'hub-viewer');
    await enter(show, 'viewer-n2', 'plain-viewer');
    await dispatch(show);
    const agent = await agentIn(viewer.room, worker);
    const agentLeft = leaves(viewer.room, agent.identity);
    await w.until((d) => d.type === 'agent_session_closed', 'agent_session_closed', GRACE_S * 1000 + 60_000);
    await agentLeft;
    assert.deepEqual(w.data().filter((d) => d.type === 'agent_session_closed').map((d) => d.reason), ['no_host']);
    assert.equal(w.count('agent_ready'), 0, 'never ready without a host');
    assert.equal((await showState(show)).agentReady, false);
    w.sse.close();
  });
});
