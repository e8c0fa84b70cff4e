import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { knownEventTypes, WEBHOOK_ENDPOINT_DISABLED, WEBHOOK_TEST } from '@showwire/protocol';
import { getJson, postJson, publishAsHub, requestJson, startHub, startReceiver, type Receiver, type TestHub } from '@showwire/testkit';

const SIGNED_HEADERS = ['webhook-id', 'webhook-signature', 'webhook-timestamp'];

/**
 * The document's `webhooks` section describes what the hub really sends: a real delivery of each
 * kind (agent, service, the hub's own, a custom type, a test message) validates against the
 * payload schema the document gives for its type, and carries the headers the document names.
 */
describe('OpenAPI: the outgoing webhooks', () => {
  let hub: TestHub;
  let admin: string;
  let receiver: Receiver;
  let doc: any;
  before(async () => {
    hub = await startHub({ HUB_LOG_LEVEL: 'silent', HUB_WEBHOOK_ALLOW_PRIVATE: 'true' });
    admin = await hub.token('admin');
    receiver = await startReceiver();
    doc = (await getJson(`${hub.url}/openapi.json`)).body;
  });
  after(async () => {
    await receiver.close();
    await hub.close();
  });

  const payloadSchema = (type: string) => (doc.webhooks[type] ?? doc.webhooks.custom).post.requestBody.content['application/json'].schema;
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  const validate = (event: { type: string }): string[] => {
    const { type } = event;
    const check = ajv.compile(payloadSchema(type));
    return check(event) ? [] : (check.errors ?? []).map((e) => `${type}${e.instancePath} ${e.message}`);
  };

  it('has one webhook per known event type, the hub notices and custom types, each a signed POST with its answers', () => {
    const names = Object.keys(doc.webhooks);
    assert.deepEqual(names.sort(), [...knownEventTypes, WEBHOOK_ENDPOINT_DISABLED, WEBHOOK_TEST, 'custom'].sort());
    for (const name of names) {
      const op = doc.webhooks[name].post;
      assert.ok(op.summary && op.description.length > 40, `${name} has no summary or description`);
      const headers = op.parameters.filter((p: { in: string }) => p.in === 'header');
      assert.deepEqual(headers.map((h: { name: string }) => h.name).sort(), SIGNED_HEADERS);
      for (const h of headers) assert.ok(h.required && h.description.length > 20, `${name}: ${h.name} is not described`);
      assert.ok(op.responses['2XX'] && op.responses['410'] && op.responses.default, `${name} does not say what the hub does with each answer`);
      const schema = op.requestBody.content['application/json'].schema;
      assert.deepEqual(schema.required.slice(0, 6).sort(), ['id', 'receivedAt', 'show', 'source', 'timestamp', 'type'].sort());
    }
    assert.equal(doc.webhooks.order_placed.post.requestBody.content['application/json'].schema.properties.type.const, 'order_placed');
  });

  it('every delivery the receiver gets validates against its type\'s payload schema and carries the documented headers', async () => {
    const created = await requestJson('POST', `${hub.url}/api/webhooks/endpoints`, admin, { url: receiver.url, shows: ['docs-show'] });
    assert.equal(created.status, 201);
    const agent = await hub.token('agent', ['docs-show']);
    const service = await hub.token('service', ['docs-show']);
    const post = async (events: unknown[], token: string) => {
      const res = await postJson(`${hub.url}/api/shows/docs-show/events`, events, token);
      assert.equal(res.status, 201, JSON.stringify(res.body));
    };
    await post(
      [
        { type: 'show_started', title: 'Docs show' },
        { type: 'agent_state', state: 'listening' },
        { type: 'transcript', text: 'Hello there', role: 'user', participant: 'host-1' },
        { type: 'tool_call', name: 'create_product', args: { name: 'Mug' }, output: { ok: true }, durationMs: 12 },
        { type: 'product_created', product: { id: 'p1', name: 'Mug', price: 12, currency: 'EUR' } },
        { type: 'turn_metrics', e2eMs: 800, llmTtftMs: 300 },
        { type: 'shop.note', note: 'a custom event keeps its fields' },
      ],
      agent,
    );
    await post([{ type: 'order_placed', orderId: 'o1', userId: 'u1', items: [{ productId: 'p1', quantity: 2, price: 12 }], total: 24, currency: 'EUR' }], service);
    await publishAsHub(hub, 'docs-show', [{ type: 'alert_raised', alertId: 'a1', rule: 'latency_high', severity: 'warning', message: 'p95 over 2 s' }]);
    // The hub's own show_summary follows the end of the show.
    await post([{ type: 'show_ended' }], agent);
    const test = await requestJson('POST', `${hub.url}/api/webhooks/endpoints/${created.body.id}/test`, admin);
    assert.equal(test.status, 202);
    // An endpoint that answers 410 is disabled, and the hub's notice reaches an endpoint that asked for it.
    const gone = await startReceiver(() => ({ status: 410 }));
    try {
      const goneEndpoint = await requestJson('POST', `${hub.url}/api/webhooks/endpoints`, admin, { url: gone.url, shows: ['gone-show'] });
      const watcher = await requestJson('POST', `${hub.url}/api/webhooks/endpoints`, admin, { url: receiver.url, types: [WEBHOOK_ENDPOINT_DISABLED] });
      assert.equal(goneEndpoint.status, 201);
      assert.equal(watcher.status, 201);
      const res = await postJson(`${hub.url}/api/shows/gone-show/events`, [{ type: 'show_started' }], await hub.token('agent', ['gone-show']));
      assert.equal(res.status, 201);
      await gone.until(() => gone.received.length === 1, 'the 410');
    } finally {
      await gone.close();
    }

    const expected = ['show_started', 'agent_state', 'transcript', 'tool_call', 'product_created', 'turn_metrics', 'shop.note', 'order_placed', 'alert_raised', 'show_ended', 'show_summary', WEBHOOK_TEST, WEBHOOK_ENDPOINT_DISABLED];
    await receiver.until(() => expected.every((t) => receiver.received.some((d) => d.event?.type === t)), 'a delivery of every type');

    const errors = receiver.received.flatMap((d) => validate(d.event));
    assert.deepEqual(errors, []);
    for (const d of receiver.received) {
      assert.deepEqual(Object.keys(d.headers).filter((h) => h.startsWith('webhook-')).sort(), SIGNED_HEADERS, `${d.event.type}: headers differ from the document`);
    }

    // The schemas can refuse: a body without the hub's fields, or with a field of the wrong kind.
    const transcript = receiver.received.find((d) => d.event.type === 'transcript')!.event;
    const { receivedAt: _, ...unstamped } = transcript;
    assert.notDeepEqual(validate(unstamped), []);
    assert.notDeepEqual(validate({ ...transcript, role: 'bot' }), []);
    const order = receiver.received.find((d) => d.event.type === 'order_placed')!.event;
    assert.notDeepEqual(validate({ ...order, currency: 'euro' }), []);
  });
});
