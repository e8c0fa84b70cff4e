import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentStatus, emptyShow, percentile, reduceShow, reduceShowMany, type HubEvent } from '../src/index.js';

let seq = 0;
const ev = (type: string, fields: Record<string, unknown> = {}, show = 's1'): HubEvent =>
  ({ id: String(++seq), show, type, timestamp: 1000 + seq, receivedAt: 2000 + seq, source: 'agent:a', ...fields });

describe('reduceShow', () => {
  it('goes idle → live → ended, keeping title and times from show events', () => {
    let s = reduceShow(undefined, ev('show_started', { title: 'Summer drop' }));
    assert.equal(s.status, 'live');
    assert.equal(s.title, 'Summer drop');
    s = reduceShow(s, ev('show_metadata', { thumbnailUrl: '/thumbnails/a.jpg' }));
    assert.equal(s.thumbnailUrl, '/thumbnails/a.jpg');
    assert.equal(s.title, 'Summer drop', 'a metadata event without title keeps the title');
    const end = ev('show_ended');
    s = reduceShow(s, end);
    assert.equal(s.status, 'ended');
    assert.equal(s.endedAt, end.timestamp);
    assert.equal(s.eventCount, 3);
    assert.equal(s.lastEventId, end.id);
  });

  it('any activity makes an idle show live (single-room agents never send show_started)', () => {
    const s = reduceShow(undefined, ev('agent_ready', {}, 'default'));
    assert.equal(s.show, 'default');
    assert.equal(s.status, 'live');
    assert.equal(s.agentReady, true);
  });

  it('settles interim transcript text into the final line of the same itemId, and of the same speaker without one', () => {
    let s = emptyShow('s1');
    s = reduceShowMany(s, [
      ev('transcript', { text: 'I have a', final: false, role: 'user', itemId: 'u1' }),
      ev('transcript', { text: 'Sure', final: false, role: 'agent', itemId: 'a1' }),
      ev('transcript', { text: 'I have a mug', final: true, role: 'user', itemId: 'u1' }),
      ev('transcript', { text: 'Sure, creating it', final: true, role: 'agent', itemId: 'a1' }),
      ev('transcript', { text: 'one', final: false, role: 'user', participant: 'host' }),
      ev('transcript', { text: 'one more', final: true, role: 'user', participant: 'host' }),
    ]);
    assert.deepEqual(
      s.transcript.map((l) => [l.role, l.text, l.final]),
      [
        ['user', 'I have a mug', true],
        ['agent', 'Sure, creating it', true],
        ['user', 'one more', true],
      ],
    );
  });

  it('does not merge a new utterance into a final line', () => {
    const s = reduceShowMany(undefined, [
      ev('transcript', { text: 'first', final: true, participant: 'host' }),
      ev('transcript', { text: 'second', final: true, participant: 'host' }),
    ]);
    assert.deepEqual(s.transcript.map((l) => l.text), ['first', 'second']);
  });

  it('tracks agent state, speaking, viewers with history, products and the carousel without duplicates', () => {
    const product = { id: 'p1', name: 'Mug', price: 12.5, currency: 'USD' };
    const s = reduceShowMany(undefined, [
      ev('agent_state', { state: 'thinking' }),
      ev('agent_speech_started'),
      ev('viewer_joined', { viewers: 3 }),
      ev('viewer_left', { viewers: 2 }),
      ev('tool_call', { name: 'create_product', args: { name: 'Mug' }, output: product, isError: false, durationMs: 42 }),
      ev('product_created', { product }),
      ev('product_added_to_show', { productId: 'p1' }),
      ev('product_added_to_show', { productId: 'p1' }),
    ]);
    assert.equal(s.agentState, 'thinking');
    assert.equal(s.agentSpeaking, true);
    assert.equal(s.viewers, 2);
    assert.deepEqual(s.viewerHistory.map((p) => p[1]), [3, 2]);
    assert.deepEqual(s.products.p1, product);
    assert.deepEqual(s.productOrder, ['p1']);
    assert.deepEqual(s.carousel, ['p1']);
    assert.deepEqual(s.actions.map((a) => a.kind), ['tool_call', 'product_created', 'product_added_to_show', 'product_added_to_show']);
    const after = reduceShow(s, ev('agent_speech_finished', { interrupted: true }));
    assert.equal(after.agentSpeaking, false);
  });

  it('records errors, and agent_ready clears them', () => {
    let s = reduceShow(undefined, ev('agent_error', { message: 'TTS failed' }));
    assert.equal(s.lastError?.message, 'TTS failed');
    s = reduceShow(s, ev('agent_ready'));
    assert.equal(s.lastError, undefined);
  });

  it('never mutates its input state', () => {
    const before = reduceShow(undefined, ev('transcript', { text: 'a', final: false, itemId: 'x' }));
    const frozen = JSON.stringify(before);
    reduceShowMany(before, [ev('transcript', { text: 'ab', final: true, itemId: 'x' }), ev('viewer_joined', { viewers: 1 }), ev('product_created', { product: { id: 'p', name: 'n', price: 1, currency: 'EUR' } })]);
    assert.equal(JSON.stringify(before), frozen);
  });

  it('keeps only the configured tail of the transcript, and handles 20,000 lines in one batch', () => {
    const events = Array.from({ length: 20_000 }, (_, i) => ev('transcript', { text: `line ${i}`, final: true, participant: 'host' }));
    const all = reduceShowMany(undefined, events);
    assert.equal(all.transcript.length, 20_000);
    assert.equal(all.transcript.at(-1)?.text, 'line 19999');
    const tail = reduceShowMany(undefined, events, { transcriptLimit: 50 });
    assert.equal(tail.transcript.length, 50);
    assert.equal(tail.transcript[0]?.text, 'line 19950');
  });

  it('ignores custom event types but still counts them as activity', () => {
    const s = reduceShow(undefined, ev('test', { message: 'Hello from curl' }));
    assert.equal(s.eventCount, 1);
    assert.equal(s.status, 'live');
  });

  it('keeps the last turns\' metrics with nearest-rank p50/p95 of each figure, over turns that have it', () => {
    // 1..20 ms e2e in a shuffled order: p50 is the 10th smallest, p95 the 19th.
    const e2e = [7, 3, 19, 1, 12, 20, 5, 16, 9, 2, 14, 18, 4, 11, 6, 15, 8, 13, 17, 10];
    const s = reduceShowMany(undefined, e2e.map((v, i) => ev('turn_metrics', { turnId: `t${i}`, e2eMs: v, ...(i % 2 === 0 && { sttMs: v * 10 }) })));
    assert.equal(s.turns.length, 20);
    assert.deepEqual(s.turns[0], { id: s.turns[0]!.id, timestamp: s.turns[0]!.timestamp, turnId: 't0', e2eMs: 7, sttMs: 70 });
    assert.deepEqual(s.latency.e2eMs, { p50: 10, p95: 19, count: 20 });
    // sttMs only on even turns: 70, 190, 120, 50, 90, 140, 40, 60, 80, 170 → p50 the 5th smallest (80), p95 the 10th (190).
    assert.deepEqual(s.latency.sttMs, { p50: 80, p95: 190, count: 10 });
    assert.equal(s.latency.llmTtftMs, undefined, 'no turn had the figure');
  });

  it('computes the percentiles over the last turnLimit turns only, and across batches', () => {
    let s = reduceShowMany(undefined, [ev('turn_metrics', { e2eMs: 10_000 }), ev('turn_metrics', { e2eMs: 9_000 })], { turnLimit: 3 });
    assert.deepEqual(s.latency.e2eMs, { p50: 9_000, p95: 10_000, count: 2 });
    s = reduceShowMany(s, [ev('turn_metrics', { e2eMs: 100 }), ev('turn_metrics', { e2eMs: 200 }), ev('turn_metrics', { e2eMs: 300 })], { turnLimit: 3 });
    assert.deepEqual(s.turns.map((t) => t.e2eMs), [100, 200, 300], 'the two slow turns rolled out');
    assert.deepEqual(s.latency.e2eMs, { p50: 200, p95: 300, count: 3 });
    assert.equal(percentile([5], 95), 5);
  });

  it('agent_session_closed leaves the show without an agent; the next agent_ready brings it back', () => {
    let s = reduceShowMany(undefined, [ev('agent_ready'), ev('agent_state', { state: 'speaking' }), ev('agent_session_closed', { reason: 'host_gone' })]);
    assert.equal(s.agentReady, false);
    assert.equal(s.agentSpeaking, false);
    assert.equal(s.agentState, undefined);
    assert.equal(s.agentClosed?.reason, 'host_gone');
    assert.equal(s.agentClosed?.at, s.lastActivity);
    s = reduceShow(s, ev('agent_ready'));
    assert.equal(s.agentReady, true);
    assert.equal(s.agentClosed, undefined);
  });

  it('agent_waiting: the agent is in the room waiting for its host until it is ready, or until its session closes', () => {
    let s = reduceShow(undefined, ev('agent_waiting', { host: 'host-1', graceS: 120 }));
    assert.equal(s.agentWaiting, true);
    assert.equal(s.agentReady, false);
    assert.deepEqual(agentStatus(s), { kind: 'waiting', label: 'Agent waiting for the host' });
    s = reduceShow(s, ev('agent_ready'));
    assert.equal(s.agentWaiting, false);
    assert.equal(agentStatus(s).kind, 'ready');
    s = reduceShowMany(s, [ev('agent_session_closed', { reason: 'room_ended' }), ev('agent_waiting')]);
    assert.equal(s.agentWaiting, true, 'a new agent waits again');
    assert.equal(s.agentClosed, undefined, 'the one that left is history');
    s = reduceShow(s, ev('agent_session_closed', { reason: 'no_host' }));
    assert.equal(s.agentWaiting, false);
    assert.deepEqual(agentStatus(s), { kind: 'left', label: 'Agent left (no_host)' });
    assert.deepEqual(agentStatus(emptyShow('x')), { kind: 'none', label: 'No agent' });
  });
});

describe('reduceShow: open alerts', () => {
  it('keeps raised alerts open until resolved, with who acknowledged them, without mutating the input', () => {
    let s = reduceShowMany(undefined, [
      ev('alert_raised', { alertId: 'a.1', rule: 'stream_stalled', severity: 'critical', message: 'quiet' }),
      ev('alert_raised', { alertId: 'b.1', rule: 'latency_high', severity: 'warning', message: 'slow' }),
      ev('alert_raised', { alertId: 'a.1', rule: 'stream_stalled', severity: 'critical', message: 'repeat is ignored' }),
    ]);
    assert.deepEqual(s.alerts.map((a) => [a.alertId, a.severity, a.message]), [['a.1', 'critical', 'quiet'], ['b.1', 'warning', 'slow']]);
    const before = s;
    const ack = ev('alert_acknowledged', { alertId: 'b.1', by: 'sam' });
    s = reduceShow(s, ack);
    assert.deepEqual(s.alerts[1]!.acknowledged, { by: 'sam', at: ack.receivedAt });
    assert.equal(before.alerts[1]!.acknowledged, undefined, 'the input state is not mutated');
    s = reduceShowMany(s, [ev('alert_resolved', { alertId: 'a.1' }), ev('alert_resolved', { alertId: 'never-raised' })]);
    assert.deepEqual(s.alerts.map((a) => a.alertId), ['b.1']);
    assert.equal(before.alerts.length, 2);
  });
});
