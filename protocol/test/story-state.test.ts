import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventTemplates, parseEventInput, reduceShow, reduceShowMany, summarizeShow, type HubEvent } from '../src/index.js';

let seq = 0;
const ev = (type: string, fields: Record<string, unknown> = {}, at = 1000 + seq): HubEvent =>
  ({ id: String(++seq), show: 's1', type, timestamp: at, receivedAt: at, source: 'agent:a', ...fields });

describe('the show story in reduceShow', () => {
  it('never mutates the state it is given (copy-on-write counters and per-product entries)', () => {
    const before = reduceShowMany(undefined, [ev('show_started', {}, 1000), ev('cart_event', { productId: 'p', action: 'add_to_cart', quantity: 2, userId: 'u' })]);
    const frozen = JSON.stringify(before);
    const after = reduceShow(before, ev('order_placed', { orderId: 'o', userId: 'u', items: [{ productId: 'p', quantity: 2, price: 0.1 }], total: 0.2, currency: 'USD' }));
    assert.equal(JSON.stringify(before), frozen);
    assert.deepEqual(after.story.perProduct.p, { adds: 2, removes: 0, orders: 2, revenue: { USD: 0.2 } });
    assert.equal(before.story.perProduct.p!.orders, 0);
  });

  it('summarizes a live show up to now: duration and the time-weighted viewer average', () => {
    const s = reduceShowMany(undefined, [ev('show_started', {}, 1000), ev('viewer_joined', { viewers: 10 }, 1010)]);
    const sum = summarizeShow(s, { now: 1020, reserved: 3 });
    assert.deepEqual([sum.status, sum.endedAt, sum.durationSeconds, sum.viewers, sum.cart.reserved], ['live', null, 20, { peak: 10, average: 5 }, 3]);
    assert.deepEqual([sum.agent.latencyP50Ms, sum.agent.latencyP95Ms], [null, null]);
  });

  it('every event template validates, the show story types included', () => {
    for (const t of eventTemplates()) {
      const parsed = parseEventInput(t.template);
      assert.ok(parsed.ok, `${t.type}: ${JSON.stringify(!parsed.ok && parsed.issues)}`);
    }
  });
});
