import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_BATCH, MAX_EVENT_BYTES, parseEventBatch, parseEventInput } from '../src/index.js';

describe('event validation', () => {
  it("accepts the agent streaming guide's flat events, with no show", () => {
    const r = parseEventInput({ type: 'transcript', text: 'Hello, how can I help you?', participant: 'agent_123', timestamp: 1695123456.789 });
    assert.ok(r.ok);
    assert.equal(r.value.final, true, 'final defaults to true');
    assert.ok(parseEventInput({ type: 'agent_speech_started', timestamp: 1695123456.789 }).ok);
    assert.ok(parseEventInput({ type: 'agent_ready', message: 'Voice agent is ready and listening' }).ok);
  });

  it('keeps custom event types whole, and unknown fields on known types', () => {
    const r = parseEventInput({ type: 'test', message: 'Hello from curl', nested: { a: [1, 2] } });
    assert.ok(r.ok);
    assert.deepEqual(r.value, { type: 'test', message: 'Hello from curl', nested: { a: [1, 2] } });
    const k = parseEventInput({ type: 'agent_state', state: 'listening', extra: 1 });
    assert.ok(k.ok && k.value.extra === 1);
  });

  it('names the field and the rule for bad known events', () => {
    const r = parseEventInput({ type: 'product_created', product: { id: 'p', name: 'Mug', price: -1, currency: 'usd' } });
    assert.ok(!r.ok);
    assert.deepEqual(r.issues.map((i) => i.path).sort(), ['product.currency', 'product.price']);
    const s = parseEventInput({ type: 'agent_state', state: 'dancing' });
    assert.ok(!s.ok);
    assert.equal(s.issues[0]?.path, 'state');
    assert.match(s.issues[0].message, /initializing|listening/);
  });

  it('refuses bad types, hub-only types, bad shows and oversized events', () => {
    const t = parseEventInput({ type: 'Bad Type' });
    assert.ok(!t.ok && t.issues[0]!.path === 'type');
    const missing = parseEventInput({ text: 'no type' });
    assert.ok(!missing.ok && /required/.test(missing.issues[0]!.message));
    const hb = parseEventInput({ type: 'heartbeat' });
    assert.ok(!hb.ok && /reserved/.test(hb.issues[0]!.message));
    const show = parseEventInput({ type: 'x', show: 'a b/c' });
    assert.ok(!show.ok && show.issues[0]!.path === 'show');
    const big = parseEventInput({ type: 'blob', data: 'x'.repeat(MAX_EVENT_BYTES) });
    assert.ok(!big.ok && /limit is 65536/.test(big.issues[0]!.message));
    const arr = parseEventInput([1, 2]);
    assert.ok(!arr.ok && /JSON object/.test(arr.issues[0]!.message));
  });

  it('drops hub-owned fields instead of trusting them', () => {
    const r = parseEventInput({ type: 'x', id: '999', receivedAt: 1, source: 'admin:root' });
    assert.ok(r.ok);
    assert.deepEqual(r.value, { type: 'x' });
  });

  it('points batch errors at the event, and bounds the batch', () => {
    const r = parseEventBatch([{ type: 'ok' }, { type: 'tool_call', name: 'x' }]);
    assert.ok(!r.ok);
    assert.equal(r.issues[0]?.path, '[1].durationMs');
    const empty = parseEventBatch([]);
    assert.ok(!empty.ok && /at least one/.test(empty.issues[0]!.message));
    const many = parseEventBatch(Array.from({ length: MAX_BATCH + 1 }, () => ({ type: 'x' })));
    assert.ok(!many.ok && /at most 1000/.test(many.issues[0]!.message));
    const ok = parseEventBatch(Array.from({ length: MAX_BATCH }, () => ({ type: 'x' })));
    assert.ok(ok.ok && ok.value.length === MAX_BATCH);
  });
});
