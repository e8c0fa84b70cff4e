import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openPublishStream, readHistory, startHub, waitFor, type TestHub } from '@showwire/testkit';

/**
 * What bounds an NDJSON publish stream: progress (an idle deadline, not the whole-request one),
 * how many are open, and the ingest rate limit, counted per line.
 */
const line = (seq: number) => `${JSON.stringify({ type: 'bench.tick', seq })}\n`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('NDJSON publish stream limits', () => {
  let hub: TestHub;
  let agent: string;
  before(async () => {
    hub = await startHub({
      HUB_AUTH: 'on',
      HUB_SECRET: 'publish-stream-limits-secret-0123456789',
      HUB_HEADERS_TIMEOUT_MS: '400',
      HUB_REQUEST_TIMEOUT_MS: '1000',
      HUB_MAX_PUBLISH_STREAMS: '2',
    });
    agent = await hub.token('agent');
  });
  after(() => hub.close());
  const url = (show: string) => `${hub.url}/api/shows/${show}/events/stream`;

  it('lives past HUB_REQUEST_TIMEOUT_MS while it makes progress: every line acked, no 408 in the body', async () => {
    const s = openPublishStream(url('long'), agent);
    for (let i = 1; i <= 10; i++) {
      s.write(line(i));
      await sleep(300); // 3 s in all, three times the request deadline, never 1 s idle
    }
    s.end();
    await s.answered;
    assert.equal(s.status(), 200);
    assert.doesNotMatch(s.body(), /HTTP\/1\.1 408/);
    assert.deepEqual(s.acks.map((a) => a.line), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.ok(s.acks.every((a) => typeof a.id === 'string'), s.body());
    assert.deepEqual((await readHistory(hub.url, 'long', await hub.token('admin'))).map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('ends a stream that sent nothing for HUB_REQUEST_TIMEOUT_MS with a request_timeout line, after acking what it stored', async () => {
    const s = openPublishStream(url('idle'), agent);
    const opened = Date.now();
    s.write(line(1));
    await s.answered;
    const took = Date.now() - opened;
    assert.equal(s.status(), 200);
    assert.equal(s.acks.length, 2, s.body());
    assert.equal(s.acks[0].line, 1);
    assert.equal(typeof s.acks[0].id, 'string');
    assert.equal(s.acks[1].error, 'request_timeout');
    assert.match(s.acks[1].message, /no byte arrived for 1000 ms/);
    assert.ok(took >= 900 && took < 5000, `ended after ${took} ms`);
  });

  it('refuses one stream more than HUB_MAX_PUBLISH_STREAMS with a 503, and takes one again once a stream ended', async () => {
    const a = openPublishStream(url('cap'), agent);
    const b = openPublishStream(url('cap'), agent);
    a.write(line(1));
    b.write(line(2));
    await waitFor('both streams open', () => a.acks.length === 1 && b.acks.length === 1, 5000);
    const refused = await fetch(url('cap'), { method: 'POST', headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${agent}` }, body: line(3) });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    const body = (await refused.json()) as { error: string; message: string };
    assert.equal(body.error, 'too_many_publish_streams');
    assert.match(body.message, /2 publish streams are open/);
    a.end();
    await a.answered;
    const again = await fetch(url('cap'), { method: 'POST', headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${agent}` }, body: line(4) });
    assert.equal(again.status, 200);
    assert.match(await again.text(), /"line":1,"id":/);
    b.end();
    await b.answered;
    assert.deepEqual((await readHistory(hub.url, 'cap', await hub.token('admin'))).map((e) => e.seq).sort(), [1, 2, 4]);
  });
});

describe('NDJSON publish stream and the ingest rate limit', () => {
  let hub: TestHub;
  before(async () => {
    hub = await startHub({ HUB_AUTH: 'on', HUB_SECRET: 'publish-stream-limits-secret-0123456789', HUB_RATE_LIMIT_INGEST: '10', HUB_RATE_LIMIT_WINDOW_MS: '60000' });
  });
  after(() => hub.close());

  it('counts each line as a request (and the open as one): past the limit, lines get rate_limited and are not stored, and no stream opens', async () => {
    const agent = await hub.token('agent');
    const res = await fetch(`${hub.url}/api/shows/limited/events/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${agent}` },
      body: Array.from({ length: 30 }, (_, i) => line(i + 1)).join(''),
    });
    assert.equal(res.status, 200);
    const acks = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { line: number; id?: string; error?: string; message?: string });
    assert.deepEqual(acks.map((a) => a.line), Array.from({ length: 30 }, (_, i) => i + 1), 'one answer per line, in order');
    // The open took one of the 10; nine lines fit.
    const stored = acks.filter((a) => a.id);
    assert.deepEqual(stored.map((a) => a.line), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const a of acks.slice(9)) {
      assert.equal(a.error, 'rate_limited');
      assert.match(a.message!, /^line \d+: too many requests with this token; retry in \d+ s$/);
    }
    assert.equal((await readHistory(hub.url, 'limited', await hub.token('admin'))).length, 9);
    // Opening still counts too: with the budget spent, the next stream is refused before it starts.
    const next = await fetch(`${hub.url}/api/shows/limited/events/stream`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${agent}` }, body: line(31) });
    assert.equal(next.status, 429);
    assert.equal(((await next.json()) as { error: string }).error, 'rate_limited');
  });
});
