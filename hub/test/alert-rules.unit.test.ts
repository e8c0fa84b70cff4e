import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { DEFAULT_SHOW, type HubEvent } from '@showwire/protocol';
import { createAlertEngine, type FailingEndpoint } from '../src/alerts/alert-engine.js';
import { loadConfig } from '../src/config.js';
import { conditions, newWatch, observe, type AlertThresholds } from '../src/alerts/rules.js';

/**
 * The alert rules as a table: a show's stored events (each at its `receivedAt`) and the clock at
 * which the rules are asked, against the rules that must hold then. Each threshold is met at its
 * edge and missed just before it, and each condition is shown clearing.
 */

const T: AlertThresholds = {
  agentSilentSeconds: 10,
  latencyP95Ms: 2000,
  latencyMinTurns: 3,
  latencyTurns: 5,
  toolFailures: 3,
  toolFailureWindowSeconds: 60,
  streamStalledSeconds: 30,
  agentMissingSeconds: 20,
  hostSilentSeconds: 15,
};
const OFF: AlertThresholds = { ...T, agentSilentSeconds: 0, latencyP95Ms: 0, toolFailures: 0, streamStalledSeconds: 0, agentMissingSeconds: 0, hostSilentSeconds: 0 };

type Step = [at: number, type: string, fields?: Record<string, unknown>];

const event = ([at, type, fields]: Step): HubEvent => ({ type, show: 'unit', receivedAt: at, timestamp: at, source: 'test', ...fields }) as unknown as HubEvent;

/** The rules that hold at `now` after `steps`, on a watch opened at the first step's time. */
function rulesAt(steps: Step[], now: number, t = T): string[] {
  const w = newWatch(steps[0]?.[0] ?? 1000);
  for (const s of steps) observe(w, event(s), t);
  return conditions(w, now, t).map((c) => c.rule);
}

// A live show with its agent in the room, the ground most rows stand on.
const LIVE: Step[] = [
  [1000, 'show_started'],
  [1001, 'agent_ready'],
];
const userSays = (at: number, fields: Record<string, unknown> = {}): Step => [at, 'transcript', { text: 'hi', role: 'user', final: true, ...fields }];
const turn = (at: number, e2eMs?: number): Step => [at, 'turn_metrics', e2eMs === undefined ? {} : { e2eMs }];
const toolCall = (at: number, isError: boolean): Step => [at, 'tool_call', { name: 'show_product', isError }];
const level = (at: number, speakingFraction: number, windowMs?: number): Step => [at, 'audio_level', { speakingFraction, ...(windowMs !== undefined && { windowMs }) }];
const control = (at: number, action: string, ok = true): Step => [at, 'control', { action, by: 'staff', ok }];
/** Activity that changes no rule but keeps the show from stalling. */
const listening = (at: number): Step => [at, 'agent_state', { state: 'listening' }];

interface Row {
  name: string;
  steps: Step[];
  now: number;
  want: string[];
  t?: AlertThresholds;
}

const table: Record<string, Row[]> = {
  agent_missing: [
    { name: 'no agent, just under the grace', steps: [[1000, 'show_started']], now: 1019.9, want: [] },
    { name: 'no agent, at the grace', steps: [[1000, 'show_started']], now: 1020, want: ['agent_missing'] },
    { name: 'an idle show goes live with its first event: the grace starts there', steps: [[1005, 'agent_error', { message: 'x', recoverable: true }]], now: 1024.9, want: [] },
    { name: 'an idle show live since its first event, at the grace', steps: [[1005, 'agent_error', { message: 'x', recoverable: true }]], now: 1025, want: ['agent_missing'] },
    { name: 'a waiting agent is present', steps: [[1000, 'show_started'], [1001, 'agent_waiting']], now: 1025, want: [] },
    { name: 'an agent_state says an agent is there', steps: [[1000, 'show_started'], listening(1001)], now: 1025, want: [] },
    { name: 'session closed, just under the grace', steps: [...LIVE, [1005, 'agent_session_closed']], now: 1024.9, want: [] },
    { name: 'session closed, at the grace', steps: [...LIVE, [1005, 'agent_session_closed']], now: 1025, want: ['agent_missing'] },
    { name: 'cleared by a new agent_ready', steps: [...LIVE, [1005, 'agent_session_closed'], [1026, 'agent_ready']], now: 1030, want: [] },
    { name: 'cleared by an agent waiting again', steps: [...LIVE, [1005, 'agent_session_closed'], [1026, 'agent_waiting']], now: 1030, want: [] },
    { name: 'a closed session is not undone by other agent activity', steps: [...LIVE, [1005, 'agent_session_closed'], listening(1010)], now: 1030, want: ['agent_missing'] },
    { name: 'off at 0', steps: [[1000, 'show_started']], now: 1025, want: [], t: { ...T, agentMissingSeconds: 0 } },
  ],
  agent_silent: [
    { name: 'unanswered, just under', steps: [...LIVE, userSays(1002)], now: 1011.9, want: [] },
    { name: 'unanswered, at the threshold', steps: [...LIVE, userSays(1002)], now: 1012, want: ['agent_silent'] },
    { name: 'a transcript without a role is the host speaking', steps: [...LIVE, userSays(1002, { role: undefined })], now: 1012, want: ['agent_silent'] },
    { name: 'an interim line asks nothing', steps: [...LIVE, userSays(1002, { final: false })], now: 1020, want: [] },
    { name: 'timed from the oldest unanswered line', steps: [...LIVE, userSays(1002), userSays(1008)], now: 1012, want: ['agent_silent'] },
    { name: 'cleared by the agent speaking (transcript)', steps: [...LIVE, userSays(1002), [1013, 'transcript', { text: 'yes', role: 'agent' }]], now: 1020, want: [] },
    { name: 'cleared by agent_speech_started', steps: [...LIVE, userSays(1002), [1013, 'agent_speech_started']], now: 1020, want: [] },
    { name: 'cleared by agent_state speaking', steps: [...LIVE, userSays(1002), [1013, 'agent_state', { state: 'speaking' }]], now: 1020, want: [] },
    { name: 'agent_state listening is no answer', steps: [...LIVE, userSays(1002), listening(1005)], now: 1012, want: ['agent_silent'] },
    { name: 'cleared by a tool call', steps: [...LIVE, userSays(1002), toolCall(1013, false)], now: 1020, want: [] },
    { name: 'a new line after an answer starts a new wait', steps: [...LIVE, userSays(1002), [1004, 'agent_speech_started'], userSays(1006)], now: 1015.9, want: [] },
    { name: 'paused by a control that reached the agent', steps: [...LIVE, control(1001.5, 'pause'), userSays(1002)], now: 1012, want: [] },
    { name: 'a pause that failed does not pause', steps: [...LIVE, control(1001.5, 'pause', false), userSays(1002)], now: 1012, want: ['agent_silent'] },
    { name: 'resumed after a pause', steps: [...LIVE, control(1001.5, 'pause'), control(1001.7, 'resume'), userSays(1002)], now: 1012, want: ['agent_silent'] },
    { name: 'redispatch ends a pause', steps: [...LIVE, control(1001.5, 'pause'), control(1001.7, 'redispatch'), userSays(1002)], now: 1012, want: ['agent_silent'] },
    { name: 'agent_ready ends a pause and forgets the wait', steps: [...LIVE, control(1001.5, 'pause'), userSays(1002), [1003, 'agent_ready'], userSays(1004)], now: 1014, want: ['agent_silent'] },
    { name: 'no agent session: agent_missing speaks, not agent_silent', steps: [...LIVE, userSays(1002), [1003, 'agent_session_closed']], now: 1012, want: [] },
    { name: 'off at 0', steps: [...LIVE, userSays(1002)], now: 1015, want: [], t: { ...T, agentSilentSeconds: 0 } },
  ],
  agent_error: [
    { name: 'unrecoverable fires at once', steps: [...LIVE, [1002, 'agent_error', { message: 'llm gone', recoverable: false }]], now: 1002, want: ['agent_error'] },
    { name: 'recoverable is history', steps: [...LIVE, [1002, 'agent_error', { message: 'tts retried', recoverable: true }]], now: 1002, want: [] },
    { name: 'no recoverable flag is not trouble', steps: [...LIVE, [1002, 'agent_error', { message: 'hmm' }]], now: 1002, want: [] },
    { name: 'a recoverable error after a fatal one does not clear it', steps: [...LIVE, [1002, 'agent_error', { message: 'a', recoverable: false }], [1003, 'agent_error', { message: 'b', recoverable: true }]], now: 1004, want: ['agent_error'] },
    { name: 'cleared by agent_ready', steps: [...LIVE, [1002, 'agent_error', { message: 'a', recoverable: false }], [1003, 'agent_ready']], now: 1004, want: [] },
    { name: 'not turned off by the thresholds', steps: [...LIVE, [1002, 'agent_error', { message: 'a', recoverable: false }]], now: 1002, want: ['agent_error'], t: OFF },
  ],
  stream_stalled: [
    { name: 'just under', steps: LIVE, now: 1030.9, want: [] },
    { name: 'at the threshold', steps: LIVE, now: 1031, want: ['stream_stalled'] },
    { name: 'cleared by any show event', steps: [...LIVE, listening(1031)], now: 1040, want: [] },
    { name: "the hub's own alerts and controls are not activity", steps: [...LIVE, control(1020, 'resume'), [1025, 'alert_raised', { alertId: 'x.1', rule: 'x', severity: 'warning', message: 'm' }], [1026, 'show_summary', {}]], now: 1031, want: ['stream_stalled'] },
    { name: 'an ended show has no conditions', steps: [...LIVE, userSays(1002), [1003, 'agent_error', { message: 'a', recoverable: false }], [1004, 'show_ended']], now: 2000, want: [] },
    { name: 'an event after show_ended does not revive the show', steps: [...LIVE, [1004, 'show_ended'], listening(1005)], now: 2000, want: [] },
    { name: 'show_started revives an ended show', steps: [...LIVE, [1004, 'show_ended'], [1005, 'show_started']], now: 1035, want: ['stream_stalled'] },
    { name: 'off at 0', steps: LIVE, now: 1100, want: [], t: { ...T, streamStalledSeconds: 0 } },
  ],
  latency_high: [
    { name: 'fewer turns than the minimum', steps: [...LIVE, turn(1002, 9000), turn(1003, 9000)], now: 1004, want: [] },
    { name: 'the minimum of turns, over', steps: [...LIVE, turn(1002, 9000), turn(1003, 9000), turn(1004, 9000)], now: 1005, want: ['latency_high'] },
    { name: 'p95 at the threshold is not over it', steps: [...LIVE, turn(1002, 2000), turn(1003, 2000), turn(1004, 2000)], now: 1005, want: [] },
    { name: 'p95 just over', steps: [...LIVE, turn(1002, 2000), turn(1003, 2000), turn(1004, 2001)], now: 1005, want: ['latency_high'] },
    { name: 'a turn without e2eMs does not count', steps: [...LIVE, turn(1002, 9000), turn(1003, 9000), turn(1004)], now: 1005, want: [] },
    { name: 'one slow turn of five is the p95', steps: [...LIVE, turn(1002, 100), turn(1003, 100), turn(1004, 9000), turn(1005, 100), turn(1006, 100)], now: 1007, want: ['latency_high'] },
    { name: 'cleared once the slow turns leave the window', steps: [...LIVE, turn(1002, 9000), turn(1003, 9000), turn(1004, 9000), ...[1005, 1006, 1007, 1008, 1009].map((at) => turn(at, 100))], now: 1010, want: [] },
    { name: 'off at 0', steps: [...LIVE, turn(1002, 9000), turn(1003, 9000), turn(1004, 9000)], now: 1005, want: [], t: { ...T, latencyP95Ms: 0 } },
  ],
  tool_failures: [
    { name: 'one short', steps: [...LIVE, toolCall(1002, true), toolCall(1003, true)], now: 1005, want: [] },
    { name: 'at the count', steps: [...LIVE, toolCall(1002, true), toolCall(1003, true), toolCall(1004, true)], now: 1005, want: ['tool_failures'] },
    { name: 'a call that worked is no failure', steps: [...LIVE, toolCall(1002, true), toolCall(1003, false), toolCall(1004, true)], now: 1005, want: [] },
    { name: 'the oldest failure on the window edge still counts', steps: [...LIVE, toolCall(1002, true), toolCall(1003, true), toolCall(1004, true), listening(1060)], now: 1062, want: ['tool_failures'] },
    { name: 'cleared once the oldest failure leaves the window', steps: [...LIVE, toolCall(1002, true), toolCall(1003, true), toolCall(1004, true), listening(1060)], now: 1062.01, want: [] },
    { name: 'off at 0', steps: [...LIVE, toolCall(1002, true), toolCall(1003, true), toolCall(1004, true)], now: 1005, want: [], t: { ...T, toolFailures: 0 } },
  ],
  host_silent: [
    { name: 'no room monitor: never silent', steps: [...LIVE, listening(1025)], now: 1030, want: [] },
    { name: 'silent since the first report, just under', steps: [...LIVE, level(1002, 0, 5000), level(1007, 0, 5000), level(1012, 0, 5000)], now: 1016.9, want: [] },
    { name: 'silent since the first report, at the threshold', steps: [...LIVE, level(1002, 0, 5000), level(1007, 0, 5000), level(1012, 0, 5000)], now: 1017, want: ['host_silent'] },
    { name: 'timed from the last report with sound, just under', steps: [...LIVE, level(1002, 0, 5000), level(1010, 0.4, 5000), level(1020, 0, 5000)], now: 1024.9, want: [] },
    { name: 'timed from the last report with sound, at the threshold', steps: [...LIVE, level(1002, 0, 5000), level(1010, 0.4, 5000), level(1020, 0, 5000)], now: 1025, want: ['host_silent'] },
    { name: 'cleared by sound', steps: [...LIVE, level(1002, 0, 5000), level(1017, 0.1, 5000)], now: 1020, want: [] },
    { name: 'the monitor still counts two windows and a second after its last report', steps: [...LIVE, level(1002, 0, 5000), level(1012, 0, 5000)], now: 1023, want: ['host_silent'] },
    { name: 'once the monitor stopped reporting, nothing says the host is silent', steps: [...LIVE, level(1002, 0, 5000), level(1012, 0, 5000)], now: 1023.1, want: [] },
    { name: 'a report without windowMs covers the default 5 s', steps: [...LIVE, level(1002, 0), level(1012, 0)], now: 1023, want: ['host_silent'] },
    { name: 'a report without windowMs stops counting after 11 s', steps: [...LIVE, level(1002, 0), level(1012, 0)], now: 1023.1, want: [] },
    { name: 'a short window stops counting sooner', steps: [...LIVE, level(1002, 0, 1000), level(1017, 0, 1000)], now: 1020.1, want: [] },
    { name: 'a short window, still counting', steps: [...LIVE, level(1002, 0, 1000), level(1017, 0, 1000)], now: 1020, want: ['host_silent'] },
    { name: 'off at 0', steps: [...LIVE, level(1002, 0, 5000), level(1017, 0, 5000)], now: 1018, want: [], t: { ...T, hostSilentSeconds: 0 } },
  ],
};

describe('alert rules (unit)', () => {
  for (const [rule, rows] of Object.entries(table)) {
    describe(rule, () => {
      for (const row of rows) {
        it(`${row.name} → ${row.want.join(', ') || 'nothing'}`, () => {
          assert.deepEqual(rulesAt(row.steps, row.now, row.t).sort(), [...row.want].sort());
        });
      }
    });
  }

  it('the rules hold together, each with its severity and a message that says why', () => {
    // A tool call shows the agent is there, so agent_missing is not among them (it has its rows above).
    const steps: Step[] = [
      [1000, 'show_started'],
      toolCall(1001, true), toolCall(1002, true), toolCall(1003, true),
      turn(1004, 9000), turn(1005, 9000), turn(1006, 9000),
      userSays(1007),
      level(1008, 0, 30_000),
      [1009, 'agent_error', { message: 'x'.repeat(3000), recoverable: false }],
    ];
    const w = newWatch(1000);
    for (const s of steps) observe(w, event(s), T);
    const got = conditions(w, 1040, T);
    assert.deepEqual(
      got.map((c) => [c.rule, c.severity]),
      [
        ['agent_error', 'critical'],
        ['stream_stalled', 'critical'],
        ['agent_silent', 'warning'],
        ['latency_high', 'warning'],
        ['tool_failures', 'warning'],
        ['host_silent', 'warning'],
      ],
    );
    const byRule = Object.fromEntries(got.map((c) => [c.rule, c.message]));
    assert.equal(byRule.agent_error!.length, 2000, 'a long error is cut to the alert message limit');
    assert.match(byRule.stream_stalled!, /no events for 31 s/);
    assert.match(byRule.agent_silent!, /the host spoke 33 s ago/);
    assert.match(byRule.latency_high!, /p95 end-to-end latency is 9000 ms over the last 3 turns \(threshold 2000 ms\)/);
    assert.match(byRule.tool_failures!, /^3 tool calls failed in the last 60 s$/);
    assert.match(byRule.host_silent!, /no host audio for 32 s/);
  });

  it('the latency window keeps only the last latencyTurns figures', () => {
    const w = newWatch(1000);
    for (let i = 0; i < 12; i++) observe(w, event(turn(1000 + i, i)), T);
    assert.deepEqual(w.e2e, [7, 8, 9, 10, 11]);
  });
});

/**
 * webhook_failing is decided by the engine (it reads the webhook store, not the log): driven here
 * through the engine's pipeline consumer, with the store's answer as a plain list. The engine
 * reads the wall clock, so the edges are a second either side of the threshold.
 */
describe('alert rules (unit): webhook_failing', () => {
  const FAILING_S = 600;
  let endpoints: FailingEndpoint[] = [];
  const engine = createAlertEngine({
    config: loadConfig({ HUB_ALERT_WEBHOOK_FAILING_MS: String(FAILING_S * 1000) }),
    logger: pino({ level: 'silent' }),
    webhookEndpoints: () => endpoints,
    publish: async () => {
      throw new Error('the timer is not started in these tests');
    },
  });
  let seq = 0;
  /** One stored event on another show, and the alert events the engine answers for the default show. */
  const tick = () => {
    const e = { type: 'transcript', show: 'other', text: 'x', role: 'agent', final: true, receivedAt: Date.now() / 1000, timestamp: Date.now() / 1000, source: 'test' };
    const record = { id: String(++seq), show: 'other', type: e.type, json: JSON.stringify(e), event: e as unknown as HubEvent, duplicate: false, notified: 0 };
    const derived = engine.consumer.apply([record]) ?? [];
    return derived.flatMap((d) => d.events).filter((x) => x.show === DEFAULT_SHOW) as Array<Record<string, unknown>>;
  };
  const ep = (id: string, failingFor: number | null): FailingEndpoint => ({ id, url: `https://example.test/${id}`, failingSince: failingFor === null ? null : Date.now() / 1000 - failingFor });

  it('raises after the failing period, once, and resolves when the endpoint recovers', () => {
    endpoints = [ep('a', FAILING_S - 1), ep('b', null)];
    assert.deepEqual(tick(), [], 'just under the failing period');

    endpoints = [ep('a', FAILING_S + 1), ep('b', null)];
    const raised = tick();
    assert.equal(raised.length, 1);
    assert.equal(raised[0]!.type, 'alert_raised');
    assert.equal(raised[0]!.rule, 'webhook_failing');
    assert.equal(raised[0]!.severity, 'warning');
    assert.match(String(raised[0]!.alertId), /^webhook_failing-a\./);
    assert.equal(raised[0]!.eventId, `alert_raised:${String(raised[0]!.alertId)}`);
    assert.match(String(raised[0]!.message), /^webhook endpoint a \(https:\/\/example\.test\/a\) has failed every delivery for 601 s$/);

    assert.deepEqual(tick(), [], 'an open alert is not raised again');

    // A second endpoint failing is its own alert beside the first.
    endpoints = [ep('a', FAILING_S + 2), ep('b', FAILING_S + 5)];
    const second = tick();
    assert.deepEqual(second.map((x) => [x.type, String(x.alertId).split('.')[0]]), [['alert_raised', 'webhook_failing-b']]);

    endpoints = [ep('a', null), ep('b', FAILING_S + 6)];
    const resolved = tick();
    assert.deepEqual(resolved.map((x) => [x.type, x.alertId]), [['alert_resolved', raised[0]!.alertId]]);

    endpoints = [];
    assert.deepEqual(tick().map((x) => [x.type, x.alertId]), [['alert_resolved', second[0]!.alertId]], 'an endpoint gone (disabled or deleted) resolves too');
    assert.deepEqual(tick(), []);
  });
});
