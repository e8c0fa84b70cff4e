import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJson, postJson, startHub, type TestHub } from '@showwire/testkit';

/** Every bad input gets the right 4xx and a message that says what to fix; nothing bad is stored. */
describe('bad input', () => {
  let hub: TestHub;
  let agent: string;
  let staff: string;
  before(async () => {
    hub = await startHub();
    agent = await hub.token('agent');
    staff = await hub.token('staff');
  });
  after(() => hub.close());

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) => postJson(`${hub.url}${path}`, body, agent, headers);

  it('malformed JSON: 400 invalid_json', async () => {
    const res = await post('/api/shows/s/events', '{"type": "transcript", ');
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_json');
    assert.match(res.body.message, /not valid JSON/);
  });

  it('wrong field types: 400 naming each field and its rule, and nothing of the batch is stored', async () => {
    const res = await post('/api/shows/bad-types/events', [
      { type: 'transcript', text: 'fine' },
      { type: 'transcript', text: 42, final: 'yes' },
      { type: 'viewer_joined', viewers: -1 },
    ]);
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'validation_failed');
    assert.deepEqual(res.body.issues.map((i: { path: string }) => i.path), ['[1].text', '[1].final', '[2].viewers']);
    assert.match(res.body.message, /\[1\]\.text: .*expected string/);
    const history = await getJson(`${hub.url}/api/shows/bad-types/events`, staff);
    assert.deepEqual(history.body.events, []);
  });

  it('missing or malformed type: 400 naming type', async () => {
    const res = await post('/api/agent/data', { text: 'no type' });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.issues, [{ path: 'type', message: 'is required and must be a string' }]);
    const upper = await post('/api/agent/data', { type: 'Transcript!' });
    assert.equal(upper.status, 400);
    assert.match(upper.body.message, /type: must match/);
  });

  it('a 2 MiB body: 413 saying the limit', async () => {
    const res = await post('/api/shows/s/events', { type: 'blob', data: 'x'.repeat(2 * 1024 * 1024) });
    assert.equal(res.status, 413);
    assert.equal(res.body.error, 'payload_too_large');
    assert.match(res.body.message, /1048576 bytes/);
  });

  it('an event over 64 KiB inside an allowed body: 400 saying the event limit', async () => {
    const res = await post('/api/shows/s/events', { type: 'blob', data: 'x'.repeat(70_000) });
    assert.equal(res.status, 400);
    assert.match(res.body.message, /limit is 65536/);
  });

  it('unknown show characters: 400 naming the show rule, in the path and in the body', async () => {
    const res = await post('/api/shows/bad%20show!/events', { type: 'x' });
    assert.equal(res.status, 400);
    assert.equal(res.body.issues[0].path, 'show');
    assert.match(res.body.message, /letters, digits/);
    const inBody = await post('/api/agent/data', { type: 'x', show: '../etc' });
    assert.equal(inBody.status, 400);
    assert.equal(inBody.body.issues[0].path, 'show');
    const mismatch = await post('/api/shows/a/events', { type: 'x', show: 'b' });
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.body.message, /URL names show "a"/);
  });

  it('negative, zero, fractional or huge limits and a bad cursor: 400 naming the parameter', async () => {
    for (const [q, path, rule] of [
      ['limit=-1', 'limit', /at least 1/],
      ['limit=0', 'limit', /at least 1/],
      ['limit=2.5', 'limit', /whole number/],
      ['limit=100000', 'limit', /at most 1000/],
      ['after=abc', 'after', /event id/],
    ] as const) {
      const res = await getJson(`${hub.url}/api/shows/s/events?${q}`, staff);
      assert.equal(res.status, 400, q);
      assert.equal(res.body.issues[0].path, path, q);
      assert.match(res.body.message, rule, q);
    }
  });

  it('a resume point that is not an id: 400 naming the header', async () => {
    const res = await fetch(`${hub.url}/api/stream`, { headers: { authorization: `Bearer ${staff}`, 'last-event-id': 'yesterday' } });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.issues[0].path, 'Last-Event-ID');
    const types = await getJson(`${hub.url}/api/stream?types=Bad%20Type`, staff);
    assert.equal(types.status, 400);
    assert.match(types.body.issues[0].path, /types/);
  });

  it('a content type other than JSON: 415 naming what to send', async () => {
    const res = await post('/api/shows/s/events', 'type=x', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(res.status, 415);
    assert.match(res.body.message, /send application\/json/);
    const text = await post('/api/shows/s/events', '{"type":"x"}', { 'content-type': 'text/plain' });
    assert.equal(text.status, 415);
  });

  it('hub-only types, an empty batch and over 1000 events: 400', async () => {
    assert.match((await post('/api/agent/data', { type: 'heartbeat' })).body.message, /reserved/);
    assert.match((await post('/api/agent/data', [])).body.message, /at least one/);
    const many = await post('/api/agent/data', Array.from({ length: 1001 }, () => ({ type: 'x' })));
    assert.equal(many.status, 400);
    assert.match(many.body.message, /at most 1000/);
  });

  it('an unknown route: 404 in the same JSON shape', async () => {
    const res = await getJson(`${hub.url}/api/nope`, staff);
    assert.equal(res.status, 404);
    assert.deepEqual(Object.keys(res.body).sort(), ['error', 'message']);
  });

  it('a retried eventId gets the same id back with 200, and is stored once', async () => {
    const first = await post('/api/shows/idem/events', { type: 'x', eventId: 'evt-1' });
    const again = await post('/api/shows/idem/events', { type: 'x', eventId: 'evt-1' });
    assert.equal(first.status, 201);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body.ids, first.body.ids);
    const history = await getJson(`${hub.url}/api/shows/idem/events`, staff);
    assert.equal(history.body.events.length, 1);
    assert.equal(history.body.events[0].eventId, 'evt-1');
  });
});
