import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { listen, waitFor, postJson, startHub, type TestHub } from '@showwire/testkit';

/** The agent streaming guide's own usage keeps working, unchanged, with auth off. */
describe('agent streaming guide compatibility', () => {
  let hub: TestHub;
  before(async () => {
    hub = await startHub({ HUB_AUTH: 'off', HUB_HEARTBEAT_MS: '200' });
  });
  after(() => hub.close());

  it('curl -N /api/stream receives what curl -X POST /api/agent/data sends, and the POST answers clients_notified', async () => {
    const curl = spawn('curl', ['-sN', `${hub.url}/api/stream`]);
    let out = '';
    curl.stdout.on('data', (c: Buffer) => (out += c.toString()));
    // Wait for the stream to be open (its first frame is the retry hint).
    await waitFor('the stream output', () => out.includes('retry:'));
    const post = spawn('curl', ['-s', '-X', 'POST', `${hub.url}/api/agent/data`, '-H', 'Content-Type: application/json', '-d', '{"type":"test","message":"Hello from curl"}']);
    let answer = '';
    post.stdout.on('data', (c: Buffer) => (answer += c.toString()));
    await new Promise((r) => post.on('exit', r));
    assert.deepEqual(Object.keys(JSON.parse(answer)).sort(), ['clients_notified', 'ids']);
    assert.equal(JSON.parse(answer).clients_notified, 1);
    await waitFor('the stream output', () => out.includes('Hello from curl') && out.includes('"type":"heartbeat"'));
    curl.kill();
    const frames = out.split('\n\n').filter((f) => f.includes('data: '));
    const event = frames.find((f) => f.includes('Hello from curl'))!;
    const id = /^id: (\S+)$/m.exec(event)?.[1];
    const data = JSON.parse(/^data: (.*)$/m.exec(event)![1]!);
    assert.equal(data.id, id, 'the SSE id is the event id');
    assert.deepEqual({ type: data.type, message: data.message, show: data.show }, { type: 'test', message: 'Hello from curl', show: 'default' });
    const heartbeat = frames.find((f) => f.includes('"heartbeat"'))!;
    assert.doesNotMatch(heartbeat, /^id:/m, 'heartbeats carry no id, so they never move the resume point');
  });

  it('EventSource onmessage gets flat JSON with the guide fields, and the response headers the guide relies on', async () => {
    const res = await fetch(`${hub.url}/api/stream`);
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(res.headers.get('x-accel-buffering'), 'no');
    await res.body?.cancel();

    const client = listen(`${hub.url}/api/stream`);
    await client.opened();
    const sent = await postJson(`${hub.url}/api/agent/data`, { type: 'transcript', text: 'Hello, how can I help you?', participant: 'agent_123', timestamp: 1695123456.789 });
    assert.equal(sent.status, 201);
    await client.until(() => client.events.length === 1);
    client.close();
    const got = client.events[0]!.data;
    assert.equal(got.type, 'transcript');
    assert.equal(got.text, 'Hello, how can I help you?');
    assert.equal(got.participant, 'agent_123');
    assert.equal(got.timestamp, 1695123456.789);
    assert.equal(got.final, true);
    assert.equal(typeof got.receivedAt, 'number');
    assert.deepEqual(sent.body.ids, [got.id]);
  });
});
