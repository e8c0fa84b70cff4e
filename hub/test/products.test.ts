import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJson, postJson, startHub, type TestHub, listen } from '@showwire/testkit';

/** The agent's product tools on the hub: create, put on the carousel, and who may. */
describe('products and carousel', () => {
  let hub: TestHub;
  let agent: string;
  before(async () => {
    hub = await startHub();
    agent = await hub.token('agent', ['show-p']);
  });
  after(() => hub.close());

  it('creates a product with an id, publishes product_created, then product_added_to_show, and the show state has both', async () => {
    const staff = await hub.token('staff');
    const sse = listen(`${hub.url}/api/shows/show-p/stream`, { token: staff });
    await sse.opened();
    const created = await postJson(`${hub.url}/api/shows/show-p/products`, { name: 'Linen shirt', price: 49.5, currency: 'EUR', description: 'Blue' }, agent);
    assert.equal(created.status, 201);
    const product = created.body.product;
    assert.match(product.id, /^prd_/);
    assert.deepEqual({ ...product, id: undefined }, { id: undefined, name: 'Linen shirt', price: 49.5, currency: 'EUR', description: 'Blue' });

    const added = await postJson(`${hub.url}/api/shows/show-p/carousel`, { productId: product.id }, agent);
    assert.equal(added.status, 201);
    assert.deepEqual(added.body.carousel, [product.id]);

    await sse.until(() => sse.events.length >= 2, 20_000, 'two events');
    sse.close();
    assert.deepEqual(sse.events.map((e) => e.data.type), ['product_created', 'product_added_to_show']);
    assert.deepEqual(sse.events[0]!.data.product, product);
    assert.equal(sse.events[0]!.data.source, 'agent:agent-test');
    assert.equal(sse.events[0]!.id, created.body.eventId);
    assert.equal(sse.events[1]!.data.productId, product.id);

    const state = await getJson(`${hub.url}/api/shows/show-p`, staff);
    assert.deepEqual(state.body.products[product.id], product);
    assert.deepEqual(state.body.carousel, [product.id]);
  });

  it('refuses an unknown product on the carousel with 404 naming it', async () => {
    const res = await postJson(`${hub.url}/api/shows/show-p/carousel`, { productId: 'prd_nope' }, agent);
    assert.equal(res.status, 404);
    assert.equal(res.body.error, 'not_found');
    assert.match(res.body.message, /show "show-p" has no product "prd_nope"/);
  });

  it('a product of another show is unknown on this one', async () => {
    const admin = await hub.token('admin');
    const other = await postJson(`${hub.url}/api/shows/show-q/products`, { name: 'Cap', price: 10, currency: 'USD' }, admin);
    assert.equal(other.status, 201, 'admin may create too');
    const res = await postJson(`${hub.url}/api/shows/show-p/carousel`, { productId: other.body.product.id }, agent);
    assert.equal(res.status, 404);
  });

  it('validates the body and names each failing field', async () => {
    const res = await postJson(`${hub.url}/api/shows/show-p/products`, { name: '', price: -1, currency: 'euro' }, agent);
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'validation_failed');
    const paths = res.body.issues.map((i: { path: string }) => i.path).sort();
    assert.deepEqual(paths, ['currency', 'name', 'price']);
    assert.match(res.body.message, /ISO 4217/);
  });

  it('only agent and admin tokens covering the show may call them', async () => {
    const host = await hub.token('host', ['show-p']);
    const asHost = await postJson(`${hub.url}/api/shows/show-p/products`, { name: 'Hat', price: 5, currency: 'USD' }, host);
    assert.equal(asHost.status, 403);
    assert.match(asHost.body.message, /role "host" cannot publish/);
    const otherShow = await postJson(`${hub.url}/api/shows/show-z/products`, { name: 'Hat', price: 5, currency: 'USD' }, agent);
    assert.equal(otherShow.status, 403);
    assert.match(otherShow.body.message, /does not cover show "show-z"/);
    const anonymous = await postJson(`${hub.url}/api/shows/show-p/carousel`, { productId: 'x' });
    assert.equal(anonymous.status, 401);
  });
});
