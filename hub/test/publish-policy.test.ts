import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventTemplates, type Role } from '@showwire/protocol';
import { getJson, postJson, readHistory, startHub, type TestHub } from '@showwire/testkit';

/**
 * The publish pipeline's policy, through every publishing route of the OpenAPI document: the
 * types only the hub writes and the eventIds it derives its own from are refused to every role
 * (admins included), with a 403 (on the NDJSON stream, the line's error), and nothing reaches
 * history.
 */
const SHOW = 'policy';
const ROLES: Role[] = ['admin', 'staff', 'host', 'agent', 'service', 'viewer'];
const PUBLISHERS = new Set<Role>(['admin', 'agent', 'service']);

/** Each hub-only type, with a body that is otherwise valid (protocol's template of the type). */
const templates = new Map(eventTemplates().map((t) => [t.type as string, t.template]));
const HUB_ONLY: Array<Record<string, unknown>> = [
  ...['alert_raised', 'alert_resolved', 'alert_acknowledged', 'control', 'show_summary', 'recording_ready'].map((type) => {
    const template = templates.get(type);
    assert.ok(template, `protocol has a template of ${type}`);
    return template;
  }),
  { type: 'webhook_endpoint_disabled', endpointId: 'ep_1', reason: 'gone' },
];
/** Ordinary events under the eventIds the hub derives its own from. */
const RESERVED: Array<Record<string, unknown>> = [
  { type: 'note', eventId: 'alert_raised:agent_silent.7' },
  { type: 'note', eventId: 'alert_resolved:agent_silent.7' },
  { type: 'note', eventId: 'summary:1' },
  { type: 'note', eventId: 'livekit:EV_1' },
];
const FORBIDDEN = [...HUB_ONLY, ...RESERVED];
const label = (e: Record<string, unknown>) => (typeof e.eventId === 'string' ? `eventId ${e.eventId}` : String(e.type));

type Send = (url: string, token: string, event: Record<string, unknown>) => Promise<{ status: number; error?: string; message?: string }>;

async function ndjson(url: string, token: string, event: Record<string, unknown>) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}` }, body: `${JSON.stringify(event)}\n` });
  const text = await res.text();
  if (res.status !== 200) {
    const body = JSON.parse(text) as { error: string; message: string };
    return { status: res.status, error: body.error, message: body.message };
  }
  // The stream answers 200 and refuses the line: the line's error stands for the status.
  const [ack] = text.trim().split('\n').map((l) => JSON.parse(l) as { line: number; id?: string; error?: string; message?: string });
  assert.equal(ack!.line, 1);
  assert.equal(ack!.id, undefined, `line stored: ${text}`);
  return { status: ack!.error === 'forbidden' ? 403 : 0, error: ack!.error, message: ack!.message };
}

const json = async (url: string, token: string, body: unknown) => {
  const res = await postJson(url, body, token);
  return { status: res.status, error: res.body.error, message: res.body.message };
};

/** The routes that take an event of the publisher's choosing (path, and how a body is sent). */
const EVENT_ROUTES: Array<{ name: string; path: string; send: Send }> = [
  { name: 'JSON single', path: `/api/shows/${SHOW}/events`, send: (u, t, e) => json(u, t, e) },
  { name: 'JSON batch', path: `/api/shows/${SHOW}/events`, send: (u, t, e) => json(u, t, [{ type: 'note', text: 'harmless' }, e]) },
  { name: '/api/agent/data', path: '/api/agent/data', send: (u, t, e) => json(u, t, { ...e, show: SHOW }) },
  { name: 'NDJSON stream', path: `/api/shows/${SHOW}/events/stream`, send: ndjson },
];

describe('publish policy: what no token may write, through every publishing route', () => {
  let hub: TestHub;
  const tokens = new Map<Role, string>();
  before(async () => {
    hub = await startHub({ HUB_AUTH: 'on', HUB_SECRET: 'publish-policy-test-secret-0123456789' });
    for (const role of ROLES) tokens.set(role, await hub.token(role, [SHOW], 3600, role === 'viewer' ? 'alice' : `${role}-1`));
  });
  after(() => hub.close());

  it('the OpenAPI document lists each of these publishing routes', async () => {
    const doc = (await getJson(`${hub.url}/openapi.json`)).body as { paths: Record<string, Record<string, unknown>> };
    const posts = Object.entries(doc.paths).filter(([, ops]) => 'post' in ops).map(([p]) => p);
    for (const p of ['/api/shows/{show}/events', '/api/agent/data', '/api/shows/{show}/events/stream', '/api/shows/{show}/products', '/api/shows/{show}/carousel', '/api/shows/{showId}/cart-event']) {
      assert.ok(posts.includes(p), `${p} is in the document`);
    }
  });

  for (const route of EVENT_ROUTES) {
    for (const role of ROLES) {
      it(`${route.name}, ${role}: every hub-only type and reserved eventId gets a 403`, async () => {
        for (const event of FORBIDDEN) {
          const res = await route.send(`${hub.url}${route.path}`, tokens.get(role)!, event);
          assert.equal(res.status, 403, `${label(event)}: ${JSON.stringify(res)}`);
          assert.equal(res.error, 'forbidden');
          // A publisher learns why: the hub's own type or namespace, or a role that publishes nothing.
          const why = PUBLISHERS.has(role) ? (event.eventId ? /namespace the hub keeps/ : /is written by the hub itself/) : /cannot publish events/;
          assert.match(res.message!, why, label(event));
        }
      });
    }
  }

  it('products, carousel and cart: refused to roles that may not write there, and a viewer writes only its own cart', async () => {
    const agent = tokens.get('agent')!;
    const made = await postJson(`${hub.url}/api/shows/${SHOW}/products`, { name: 'Mug', price: 12, currency: 'EUR' }, agent);
    assert.equal(made.status, 201);
    const productId = made.body.product.id as string;
    const before = (await readHistory(hub.url, SHOW, tokens.get('admin')!)).length;
    for (const role of ['staff', 'host', 'viewer'] as Role[]) {
      const p = await postJson(`${hub.url}/api/shows/${SHOW}/products`, { name: 'Forged', price: 1, currency: 'EUR' }, tokens.get(role));
      assert.equal(p.status, 403, `products as ${role}`);
      const c = await postJson(`${hub.url}/api/shows/${SHOW}/carousel`, { productId }, tokens.get(role));
      assert.equal(c.status, 403, `carousel as ${role}`);
    }
    for (const role of ['staff', 'host', 'agent'] as Role[]) {
      const c = await postJson(`${hub.url}/api/shows/${SHOW}/cart-event`, { productId, action: 'add_to_cart', quantity: 1, userId: 'bob' }, tokens.get(role));
      assert.equal(c.status, 403, `cart as ${role}`);
    }
    const forBob = await postJson(`${hub.url}/api/shows/${SHOW}/cart-event`, { productId, action: 'remove_from_cart', quantity: 3, userId: 'bob' }, tokens.get('viewer'));
    assert.equal(forBob.status, 403);
    assert.match(forBob.body.message, /a viewer posts cart events for itself only/);
    // Nor through the event routes, where the reservation is not the hub's to stamp.
    const direct = await postJson(`${hub.url}/api/shows/${SHOW}/events`, { type: 'cart_event', productId, action: 'add_to_cart', quantity: 1, userId: 'alice' }, tokens.get('viewer'));
    assert.equal(direct.status, 403);
    assert.equal((await readHistory(hub.url, SHOW, tokens.get('admin')!)).length, before, 'nothing refused was stored');
  });

  it('nothing refused reached history; what may be written still is', async () => {
    const ok = await postJson(`${hub.url}/api/shows/${SHOW}/events`, { type: 'note', eventId: 'mine:1' }, tokens.get('agent'));
    assert.equal(ok.status, 201);
    const history = await readHistory(hub.url, SHOW, tokens.get('admin')!);
    const types = new Set(history.map((e) => e.type));
    for (const e of HUB_ONLY) assert.ok(!types.has(e.type), `${String(e.type)} was stored`);
    assert.deepEqual(history.filter((e) => e.type === 'note').map((e) => e.eventId), ['mine:1'], 'no reserved eventId was stored, nor the batches they were in');
  });
});
