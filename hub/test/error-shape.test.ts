import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { errorBody } from '@showwire/protocol';
import { ERROR_CODES } from '../src/errors.js';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { getJson, postJson, startHub, tempDir, type TestHub } from '@showwire/testkit';

/** Sends raw bytes and reads the whole answer until the hub closes the connection. */
function rawRequest(url: string, bytes: string): Promise<{ status: number; headers: string; body: any }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString()));
    socket.on('error', () => {}); // the hub destroys the socket after answering; what it wrote is what counts
    socket.on('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
      if (!status) return reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
      resolve({ status, headers: head, body: JSON.parse(body) });
    });
    socket.write(bytes);
  });
}

/** The one error shape, and a code of the catalogue that goes with this status. */
function assertShape(status: number, body: unknown, code: string, message?: RegExp) {
  const parsed = errorBody.strict().safeParse(body);
  assert.ok(parsed.success, `not the error shape: ${JSON.stringify(body)}`);
  assert.equal(parsed.data.error, code);
  assert.equal(ERROR_CODES[code as keyof typeof ERROR_CODES], status, `${code} is not paired with ${status} in the catalogue`);
  if (message) assert.match(parsed.data.message, message);
}

/** Every 4xx/5xx, the hub's own and Fastify's and Node's parser's, is `{error, message, issues?}` from one catalogue. */
describe('one error shape', () => {
  let hub: TestHub;
  let admin: string;
  let agent: string;
  let dashboard: string;
  before(async () => {
    // With a dashboard: its `/*` catches what no API route matched (over-long segments too).
    dashboard = tempDir();
    writeFileSync(join(dashboard, 'index.html'), '<!doctype html><title>dashboard</title>');
    hub = await startHub({ HUB_DASHBOARD_DIR: dashboard, HUB_RATE_LIMIT_TOKENS: '2', HUB_WEBHOOK_ALLOW_PRIVATE: 'true', HUB_THUMBNAIL_MAX_BYTES: '1024' });
    admin = await hub.token('admin');
    agent = await hub.token('agent', ['s1']);
  });
  after(async () => {
    await hub.close();
    rmSync(dashboard, { recursive: true, force: true });
  });

  it('400: bad JSON, an empty body, a field that breaks its rule, a bad percent-encoding', async () => {
    const bad = await postJson(`${hub.url}/api/shows/s1/events`, '{"type": ', agent);
    assert.equal(bad.status, 400);
    assertShape(400, bad.body, 'invalid_json', /not valid JSON/);
    const empty = await postJson(`${hub.url}/api/shows/s1/events`, '', agent);
    assertShape(empty.status, empty.body, 'invalid_json', /body is empty/);
    const field = await postJson(`${hub.url}/api/auth/tokens`, { sub: 'x', role: 'pilot', shows: ['*'] }, admin);
    assert.equal(field.status, 400);
    assertShape(400, field.body, 'validation_failed', /role/);
    assert.equal(field.body.issues[0].path, 'role');
    const url = await getJson(`${hub.url}/api/shows/%E0%A4%A/events`, admin);
    assert.equal(url.status, 400);
    assertShape(400, url.body, 'bad_request', /not a valid URL/);
  });

  it('400 from Node\'s parser: garbage that is not HTTP', async () => {
    const res = await rawRequest(hub.url, 'HELLO THERE\r\n\r\n');
    assertShape(res.status, res.body, 'bad_request', /not valid HTTP/);
  });

  it('401 with WWW-Authenticate, 403 naming the role', async () => {
    const none = await getJson(`${hub.url}/api/shows`);
    assertShape(none.status, none.body, 'unauthorized');
    const forbidden = await getJson(`${hub.url}/api/shows`, agent);
    assertShape(forbidden.status, forbidden.body, 'forbidden', /agent/);
  });

  it('404: no such route, no such show', async () => {
    const route = await getJson(`${hub.url}/api/nothing`, admin);
    assertShape(route.status, route.body, 'not_found', /no route GET \/api\/nothing/);
    const show = await getJson(`${hub.url}/api/shows/never-seen`, admin);
    assertShape(show.status, show.body, 'not_found', /never-seen/);
  });

  it('409: recovering the deliveries of a disabled webhook endpoint', async () => {
    const created = await postJson(`${hub.url}/api/webhooks/endpoints`, { url: 'http://127.0.0.1:9/hook', enabled: false }, admin);
    assert.equal(created.status, 201);
    const res = await postJson(`${hub.url}/api/webhooks/endpoints/${created.body.id}/recover`, { since: 0 }, admin);
    assertShape(res.status, res.body, 'endpoint_disabled', /enable it first/);
  });

  it('413 is payload_too_large everywhere: ingest and thumbnail upload', async () => {
    const ingest = await postJson(`${hub.url}/api/shows/s1/events`, { type: 'blob', data: 'x'.repeat(1_100_000) }, agent);
    assertShape(ingest.status, ingest.body, 'payload_too_large', /1048576 bytes/);
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000)]).toString('base64');
    const thumbnail = await postJson(`${hub.url}/api/streaming/upload-thumbnail`, { image: jpeg }, admin);
    assertShape(thumbnail.status, thumbnail.body, 'payload_too_large', /limit is 1024/);
  });

  it('414: a path segment over 256 characters, and a URL that overflows Node\'s header limit', async () => {
    const segment = await getJson(`${hub.url}/api/shows/${'a'.repeat(300)}/events`, admin);
    assertShape(segment.status, segment.body, 'uri_too_long', /too long/);
    // A 128-character show id (the longest allowed) is not a long segment.
    const longest = await getJson(`${hub.url}/api/shows/${'a'.repeat(128)}`, admin);
    assert.equal(longest.status, 404);
    const long = await getJson(`${hub.url}/api/shows?pad=${'p'.repeat(9000)}`, admin);
    assert.equal(long.status, 200, 'a long URL within the limit is served');
    const raw = await rawRequest(hub.url, `GET /api/shows?pad=${'p'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assertShape(raw.status, raw.body, 'uri_too_long', /URL is too long/);
    assert.match(raw.headers, /content-type: application\/json/i);
  });

  it('415: a body that is not JSON', async () => {
    const res = await postJson(`${hub.url}/api/shows/s1/events`, 'type=x', agent, { 'content-type': 'text/plain' });
    assertShape(res.status, res.body, 'unsupported_media_type', /application\/json/);
  });

  it('429 with Retry-After', async () => {
    const mint = () => postJson(`${hub.url}/api/auth/tokens`, { sub: 'x', role: 'staff', shows: ['*'] }, admin);
    let res = await mint();
    for (let i = 0; i < 5 && res.status !== 429; i++) res = await mint();
    assertShape(res.status, res.body, 'rate_limited', /retry in/);
    assert.ok(Number(res.headers.get('retry-after')) > 0);
  });

  it('431: headers over Node\'s limit, answered before Fastify in the same shape', async () => {
    const res = await rawRequest(hub.url, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'h'.repeat(20_000)}\r\n\r\n`);
    assertShape(res.status, res.body, 'header_fields_too_large', /headers are too large/);
  });

  it('refused ingest requests are counted by status in /metrics (the ones above: two 400, one 413, one 415)', async () => {
    const res = await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${admin}` } });
    const text = await res.text();
    const count = (status: number) => Number(new RegExp(`showwire_ingest_rejected_total\\{status="${status}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    assert.deepEqual([count(400), count(413), count(415), count(401)], [2, 1, 1, 0]);
  });
});

describe('one error shape for the hub\'s own failures', () => {
  let app: Awaited<ReturnType<typeof buildApp>>['app'];
  let url: string;
  let dataDir: string;
  let release!: () => void;
  before(async () => {
    dataDir = tempDir();
    // No dashboard here (a directory without index.html): Fastify's own 414 and 404 answer.
    ({ app } = await buildApp(loadConfig({ HUB_DATA_DIR: dataDir, HUB_DASHBOARD_DIR: dataDir, HUB_LOG_LEVEL: 'silent' })));
    // A route that fails the way a bug would, with internals in its message.
    app.get('/test/boom', async () => {
      throw new Error('ENOENT: open /srv/showwire/secret-config.ts');
    });
    // Holds the close after the hub marked itself draining, while the server still answers.
    const held = new Promise<void>((r) => (release = r));
    app.addHook('preClose', () => held);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => {
    release();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('500 internal names the request id and nothing of the internals', async () => {
    const res = await getJson(`${url}/test/boom`);
    assertShape(res.status, res.body, 'internal', /request id \S+/);
    assert.doesNotMatch(JSON.stringify(res.body), /ENOENT|secret-config/);
  });

  it('414 for an over-long path segment and 404 for no route, without a dashboard too', async () => {
    const segment = await getJson(`${url}/api/shows/${'a'.repeat(300)}/events`);
    assertShape(segment.status, segment.body, 'uri_too_long', /too long/);
    const page = await getJson(`${url}/${'b'.repeat(300)}`);
    assertShape(page.status, page.body, 'uri_too_long', /too long/);
    const none = await getJson(`${url}/nothing`);
    assertShape(none.status, none.body, 'not_found', /no route GET \/nothing/);
  });

  it('503 unavailable with Retry-After for requests that arrive while the hub closes', async () => {
    const closing = app.close();
    const res = await getJson(`${url}/healthz`);
    release();
    await closing;
    assertShape(res.status, res.body, 'unavailable', /shutting down/);
    assert.equal(res.headers.get('retry-after'), '1');
  });
});
