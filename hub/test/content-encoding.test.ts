import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { getJson, startHub, type TestHub } from '@showwire/testkit';

/**
 * Compressed request bodies: gzip and deflate are inflated (the body limit counts the inflated
 * bytes, so a bomb is a 413), anything else is a 415 that says what works.
 */
describe('request bodies with Content-Encoding', () => {
  let hub: TestHub;
  let agent: string;
  let staff: string;
  before(async () => {
    hub = await startHub({ HUB_BODY_LIMIT: String(256 * 1024) });
    agent = await hub.token('agent');
    staff = await hub.token('staff');
  });
  after(() => hub.close());

  async function post(show: string, body: Buffer, encoding: string) {
    const res = await fetch(`${hub.url}/api/shows/${show}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': encoding, authorization: `Bearer ${agent}` },
      body: new Uint8Array(body),
    });
    return { status: res.status, body: await res.json() };
  }
  const history = async (show: string) => (await getJson(`${hub.url}/api/shows/${show}/events`, staff)).body.events as any[];
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));

  it('gzip and deflate bodies are stored as if sent plain', async () => {
    const gz = await post('zip', gzipSync(json([{ type: 'note', text: 'gzipped' }, { type: 'note', text: 'twice' }])), 'gzip');
    assert.equal(gz.status, 201, JSON.stringify(gz.body));
    const df = await post('zip', deflateSync(json({ type: 'note', text: 'deflated' })), 'deflate');
    assert.equal(df.status, 201, JSON.stringify(df.body));
    const upper = await post('zip', gzipSync(json({ type: 'note', text: 'case' })), 'GZIP');
    assert.equal(upper.status, 201);
    assert.deepEqual((await history('zip')).map((e) => e.text), ['gzipped', 'twice', 'deflated', 'case']);
  });

  it('a gzip bomb (a few KiB inflating far past the limit): 413, nothing stored, the hub still answers', async () => {
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"type":"note","text":"'), Buffer.alloc(64 * 1024 * 1024, 0x61), Buffer.from('"}')]));
    assert.ok(bomb.length < 256 * 1024, `the bomb itself fits the limit (${bomb.length} bytes)`);
    const res = await post('bomb', bomb, 'gzip');
    assert.equal(res.status, 413);
    assert.equal(res.body.error, 'payload_too_large');
    assert.match(res.body.message, /inflates \(gzip\) to over this route's limit of 262144 bytes/);
    assert.deepEqual(await history('bomb'), []);
    assert.equal((await getJson(`${hub.url}/healthz`)).status, 200);
  });

  it('other encodings: 415 naming the encoding and what works', async () => {
    const br = await post('other', brotliCompressSync(json({ type: 'note' })), 'br');
    assert.equal(br.status, 415);
    assert.equal(br.body.error, 'unsupported_content_encoding');
    assert.match(br.body.message, /"br" is not accepted; send the body uncompressed, or with gzip or deflate/);
    assert.equal((await post('other', gzipSync(gzipSync(json({ type: 'note' }))), 'gzip, gzip')).status, 415);
    assert.deepEqual(await history('other'), []);
  });

  it('a body that says gzip but is not: 400 saying so', async () => {
    const res = await post('fake', json({ type: 'note' }), 'gzip');
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_body_encoding');
    assert.match(res.body.message, /not valid gzip data/);
    assert.deepEqual(await history('fake'), []);
  });
});
