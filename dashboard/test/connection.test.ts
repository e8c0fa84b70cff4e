import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EventSource } from 'eventsource';
import type { HubEvent } from '@showwire/protocol';
import { loadHistory, streamUrl, tokenAccepted } from '../src/lib/api.js';
import { openConnection, type ConnectionState } from '../src/lib/connection.js';
import { startHub, type TestHub, waitFor } from '@showwire/testkit';
import { lines, publish } from './helpers/publish.js';

/** The dashboard's connection and history loader, run in Node against a real hub with a spec EventSource. */
let hub: TestHub;
let agent: string;
let staff: string;
before(async () => {
  hub = await startHub({ HUB_HEARTBEAT_MS: '200' });
  agent = await hub.token('agent', ['*']);
  staff = await hub.token('staff', ['*']);
});
after(() => hub?.close());

test('history pages then the stream from the last id: every event once, in order, also while publishing', async () => {
  const show = 'conn-history';
  await publish(hub.url, agent, show, lines(0, 25));
  const history = await loadHistory(show, staff, { pageSize: 10, fetch: (u, i) => fetch(new URL(u instanceof Request ? u.url : u, hub.url), i) });
  assert.equal(history.events.length, 25, 'three pages of 10, 10, 5');
  assert.equal(history.truncated, false);

  const got: HubEvent[] = [];
  const states: ConnectionState[] = [];
  await publish(hub.url, agent, show, lines(25, 5)); // after the history load, before the stream: must come by replay
  const conn = openConnection({
    url: (last) => hub.url + streamUrl(staff, { shows: [show], ...(last && { lastEventId: last }) }),
    lastEventId: history.events.at(-1)!.id,
    onEvent: (e) => got.push(e),
    onState: (s) => states.push(s),
    EventSource,
  });
  try {
    await waitFor('live', () => conn.state === 'live');
    await publish(hub.url, agent, show, lines(30, 5));
    await waitFor('all events', () => got.length >= 10);
    const texts = [...history.events, ...got].map((e) => (e as { text?: string }).text);
    assert.deepEqual(texts, Array.from({ length: 35 }, (_, i) => `line ${i}`));
    assert.equal(states[0], 'connecting');
  } finally {
    conn.close();
  }
});

test('heartbeats set the pace: a stream that goes silent is dropped and resumed from its last id', async () => {
  const show = 'conn-watchdog';
  await publish(hub.url, agent, show, lines(0, 3));
  const got: string[] = [];
  const states: ConnectionState[] = [];
  let opened = 0;
  // A stream URL that stops working after the first connect: the watchdog, not an error event, must notice.
  let paused = false;
  let heartbeats = 0;
  const conn = openConnection({
    url: (last) => {
      opened++;
      return hub.url + streamUrl(staff, { shows: [show], ...(last && { lastEventId: last }) });
    },
    lastEventId: '0',
    onEvent: (e) => got.push((e as { text: string }).text),
    onState: (s) => states.push(s),
    EventSource: class Pausable {
      onopen: ((e: Event) => void) | null = null;
      onmessage: ((e: MessageEvent) => void) | null = null;
      onerror: ((e: Event) => void) | null = null;
      readonly inner: EventSource;
      constructor(url: string) {
        this.inner = new EventSource(url);
        this.inner.onopen = (e) => this.onopen?.(e);
        // Once paused, this connection swallows everything (a half-open TCP connection looks like this).
        this.inner.onmessage = (e) => {
          if (paused) return;
          if (JSON.parse(e.data).type === 'heartbeat') heartbeats++;
          this.onmessage?.(e);
        };
        this.inner.onerror = (e) => this.onerror?.(e);
      }
      close() {
        this.inner.close();
      }
    },
  });
  try {
    await waitFor('first three', () => got.length === 3);
    await waitFor('heartbeats to set the pace (200 ms)', () => conn.state === 'live' && heartbeats >= 3);
    paused = true;
    await publish(hub.url, agent, show, lines(3, 2)); // swallowed on the dead connection
    await waitFor('reconnecting', () => states.includes('reconnecting'), 10_000);
    paused = false;
    await waitFor('resumed', () => got.length === 5, 20_000);
    assert.deepEqual(got, ['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
    assert.ok(opened >= 2);
    await waitFor('live again', () => conn.state === 'live');
  } finally {
    conn.close();
  }
});

test('a hub that is gone turns the state to offline after a few attempts, and back to live when it returns', async () => {
  const other = await startHub({ HUB_HEARTBEAT_MS: '200' });
  const token = await other.token('staff', ['*']);
  const url = other.url;
  const states: ConnectionState[] = [];
  const conn = openConnection({
    url: (last) => url + streamUrl(token, { ...(last && { lastEventId: last }) }),
    onEvent: () => {},
    onState: (s) => states.push(s),
    EventSource,
    offlineAfterAttempts: 2,
    maxBackoffMs: 300,
  });
  try {
    await waitFor('live', () => conn.state === 'live');
    await other.close();
    await waitFor('offline', () => conn.state === 'offline', 30_000);
    assert.deepEqual(states.slice(0, 3), ['connecting', 'live', 'reconnecting']);
  } finally {
    conn.close();
  }
});

test('a token that expires mid-stream: the hub ends the stream at exp, the reconnect gets 401, the connection reports it and stops', async () => {
  const show = 'conn-expiry';
  const short = await hub.token('staff', ['*'], 3);
  const url = (last?: string) => hub.url + streamUrl(short, { shows: [show], ...(last && { lastEventId: last }) });
  const states: ConnectionState[] = [];
  const got: string[] = [];
  let refused = 0;
  const conn = openConnection({
    url,
    lastEventId: '0',
    onEvent: (e) => got.push((e as { text: string }).text),
    onState: (s) => states.push(s),
    EventSource,
    authorized: () => tokenAccepted(url()),
    onUnauthorized: () => refused++,
  });
  try {
    await waitFor('live', () => conn.state === 'live');
    assert.equal(await tokenAccepted(url()), true, 'a good token is accepted (the probe reads only the status)');
    await publish(hub.url, agent, show, lines(0, 2));
    await waitFor('events before exp', () => got.length === 2);
    await waitFor('refused after exp', () => refused === 1, 30_000);
    assert.equal(await tokenAccepted(url()), false);
    const r = await fetch(url());
    assert.equal(r.status, 401);
    assert.match(((await r.json()) as { message: string }).message, /expired/);
    assert.ok(!states.includes('offline'), states.join());
    assert.deepEqual(got, ['line 0', 'line 1']);
  } finally {
    conn.close();
  }
});
