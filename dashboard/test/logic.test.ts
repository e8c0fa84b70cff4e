import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { waitFor } from '@showwire/testkit';
import { emptyShow, reduceShowMany, type HubEvent, type ShowState } from '@showwire/protocol';
import { summaryToState, streamUrl, type ShowSummary } from '../src/lib/api.js';
import { decodeClaims, onlyShow, signInReason, takeToken, TOKEN_KEY } from '../src/lib/auth.js';
import { openConnection, type ConnectionState } from '../src/lib/connection.js';
import { formatDuration } from '../src/lib/format.js';
import { compareIds, maxId } from '../src/lib/ids.js';
import { parseRoute } from '../src/lib/router.js';
import { createShowStore } from '../src/lib/show-store.js';
import { sparklinePoints } from '../src/lib/sparkline.js';
import { filterCards, rankedAlerts, sortedCards, type WallFilter } from '../src/lib/trouble.js';

let seq = 0;
const ev = (show: string, type: string, fields: Record<string, unknown> = {}, id = String(++seq)): HubEvent =>
  ({ id, show, type, timestamp: 1000 + seq, receivedAt: 1000 + seq, source: 'agent:test', ...fields });

describe('ids', () => {
  test('digit ids compare as numbers, past 2^53 too', () => {
    assert.ok(compareIds('9', '10') < 0);
    assert.ok(compareIds('100', '99') > 0);
    assert.equal(compareIds('42', '42'), 0);
    assert.ok(compareIds('90071992547409930', '90071992547409921') > 0);
    assert.equal(maxId(['3', undefined, '12', '7']), '12');
    // The hub's ids are <epoch>-<seq>: seq orders them within an epoch, not the text.
    assert.ok(compareIds('k3x9q2ma-9', 'k3x9q2ma-10') < 0);
    assert.ok(compareIds('k3x9q2ma-100', 'k3x9q2ma-99') > 0);
    assert.equal(maxId(['k3x9q2ma-9', 'k3x9q2ma-10', undefined]), 'k3x9q2ma-10');
    assert.equal(maxId([]), undefined);
  });
});

describe('sign-in token', () => {
  const memory = () => {
    const m = new Map<string, string>();
    return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
  };
  test('the URL token moves to storage and leaves the URL, other parameters kept', () => {
    const s = memory();
    const r = takeToken('http://h/shows/a?x=1&token=abc.def.ghi#top', s);
    assert.equal(r.token, 'abc.def.ghi');
    assert.equal(r.cleanUrl, '/shows/a?x=1#top');
    assert.equal(s.m.get(TOKEN_KEY), 'abc.def.ghi');
    assert.deepEqual(takeToken('http://h/', s), { token: 'abc.def.ghi' }, 'a reload reads it back from storage');
    assert.deepEqual(takeToken('http://h/', memory()), { token: null });
  });
  test('claims are read from the payload; a host of one show lands on it', () => {
    const payload = Buffer.from(JSON.stringify({ sub: 'maya', role: 'host', shows: ['s-1'], exp: 99 })).toString('base64url');
    const claims = decodeClaims(`h.${payload}.sig`);
    assert.deepEqual(claims, { sub: 'maya', role: 'host', shows: ['s-1'], exp: 99 });
    assert.equal(onlyShow(claims), 's-1');
    assert.equal(onlyShow({ sub: 's', role: 'staff', shows: ['*'] }), undefined);
    assert.equal(decodeClaims('not-a-jwt'), undefined);
    assert.equal(decodeClaims(null), undefined);
  });
  test('a refused sign-in says why: expired (allowing for a minute of clock skew), refused, or missing', () => {
    const claims = { sub: 'maya', role: 'host' as const, shows: ['s-1'], exp: 1000 };
    assert.match(signInReason(claims, 1000), /^Your session expired\./);
    assert.match(signInReason(claims, 950), /^Your session expired\./, 'our clock 50 s behind the hub');
    assert.match(signInReason(claims, 900), /no longer accepts this sign-in/, 'far from exp: not an expiry');
    assert.match(signInReason({ ...claims, exp: undefined }, 1e9), /no longer accepts this sign-in/);
    assert.match(signInReason(undefined, 0), /needs a sign-in/);
  });
});

describe('connection: a refused token stops the retries', () => {
  /** An EventSource whose every attempt is scripted by the test. */
  function scripted() {
    const made: Array<{ url: string; closed: boolean; open(): void; fail(): void }> = [];
    class Fake {
      onopen: ((e: Event) => void) | null = null;
      onmessage: ((e: MessageEvent) => void) | null = null;
      onerror: ((e: Event) => void) | null = null;
      constructor(url: string) {
        made.push({
          url,
          closed: false,
          open: () => this.onopen?.(new Event('open')),
          fail: () => this.onerror?.(new Event('error')),
        });
      }
      close() {
        made.find((m) => !m.closed)!.closed = true;
      }
    }
    return { made, Fake };
  }
  test('the hub ends the stream at exp, the reconnect fails, the hub says 401: unauthorized, never offline, no more attempts', async () => {
    const { made, Fake } = scripted();
    const states: ConnectionState[] = [];
    let asked = 0;
    let refused = 0;
    const conn = openConnection({
      url: (last) => `/s?last=${last}`,
      lastEventId: '5',
      onEvent: () => {},
      onState: (s) => states.push(s),
      EventSource: Fake,
      maxBackoffMs: 20,
      offlineAfterAttempts: 1,
      authorized: () => Promise.resolve((asked++, false)),
      onUnauthorized: () => refused++,
    });
    made[0]!.open();
    made[0]!.fail(); // the hub closed the stream at exp: an open stream ending is no reason to ask
    assert.equal(asked, 0);
    await waitFor('a second attempt', () => made.length === 2);
    made[1]!.fail(); // 401 before opening
    await waitFor('refused', () => refused === 1);
    assert.equal(asked, 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(made.length, 2, 'no attempt after the refusal');
    assert.ok(made.every((m) => m.closed));
    assert.ok(!states.includes('offline'), states.join());
    conn.close();
  });

  test('a hub that is down (or an answer that is not 401) keeps the retries going', async () => {
    const { made, Fake } = scripted();
    let refused = 0;
    const answers = [Promise.reject(new Error('network down')), Promise.resolve(true)];
    const conn = openConnection({
      url: () => '/s',
      onEvent: () => {},
      EventSource: Fake,
      maxBackoffMs: 20,
      authorized: () => answers.shift() ?? Promise.resolve(true),
      onUnauthorized: () => refused++,
    });
    made[0]!.fail();
    await waitFor('second attempt', () => made.length === 2);
    made[1]!.fail();
    await waitFor('third attempt', () => made.length === 3);
    made[2]!.open();
    assert.equal(conn.state, 'live');
    assert.equal(refused, 0);
    conn.close();
  });
});

describe('routes and URLs', () => {
  test('paths map to pages', () => {
    assert.deepEqual(parseRoute('/'), { page: 'wall' });
    assert.deepEqual(parseRoute('/shows/a%3Ab'), { page: 'show', show: 'a:b' });
    assert.deepEqual(parseRoute('/webhooks'), { page: 'webhooks' });
    assert.deepEqual(parseRoute('/nope/x'), { page: 'missing' });
  });
  test('the stream URL carries token and resume point as query parameters (EventSource cannot set headers)', () => {
    const u = new URL(streamUrl('t.o.k', { shows: ['a', 'b'], lastEventId: '41' }), 'http://h');
    assert.equal(u.pathname, '/api/stream');
    assert.equal(u.searchParams.get('shows'), 'a,b');
    assert.equal(u.searchParams.get('access_token'), 't.o.k');
    assert.equal(u.searchParams.get('lastEventId'), '41');
    assert.equal(new URL(streamUrl(null, {}), 'http://h').search, '');
  });
});

describe('wall: trouble and order', () => {
  const base = (show: string, patch: Partial<ShowState>): ShowState => ({ ...emptyShow(show), status: 'live', startedAt: 0, lastActivity: 100, lastAgentActivity: 100, ...patch });
  const alert = (rule: string, severity: 'critical' | 'warning' | 'info', raisedAt: number) => ({ alertId: `${rule}.${raisedAt}`, rule, severity, message: rule, id: String(raisedAt), raisedAt });
  const latency = (p95: number) => ({ e2eMs: { p50: p95 / 2, p95, count: 5 } });
  test('trouble is the hub’s open alerts only: an agent error the agent recovered from, or an old last activity, is not trouble', () => {
    assert.deepEqual(rankedAlerts(base('a', { lastError: { message: 'tts retry', at: 1 }, lastActivity: 1 })), []);
    const ranked = rankedAlerts(base('a', { alerts: [alert('latency_high', 'warning', 5), alert('stream_stalled', 'critical', 9), alert('agent_error', 'critical', 7)] }));
    assert.deepEqual(ranked.map((a) => a.rule), ['agent_error', 'stream_stalled', 'latency_high'], 'critical first, then the oldest');
  });
  test('cards sort by open alerts (severity, then age), then by p95 latency, then live before ended, then by title; filters and search apply', () => {
    const states = [
      base('ok-b', { title: 'Beta' }),
      base('ended', { title: 'Alpha', status: 'ended' }),
      base('warn', { title: 'Zulu', alerts: [alert('agent_silent', 'warning', 10)] }),
      base('crit-new', { title: 'Crit new', alerts: [alert('stream_stalled', 'critical', 50)] }),
      base('crit-old', { title: 'Crit old', alerts: [alert('agent_error', 'critical', 20), alert('agent_silent', 'warning', 5)] }),
      base('slow', { title: 'Slow', latency: latency(2400) }),
      base('ok-a', { title: 'Alpha live', latency: latency(900) }),
    ];
    const order = (f: WallFilter, q = '') => filterCards(sortedCards(states), f, q).map((c) => c.state.show);
    assert.deepEqual(order('all'), ['crit-old', 'crit-new', 'warn', 'slow', 'ok-a', 'ok-b', 'ended']);
    assert.deepEqual(order('trouble'), ['crit-old', 'crit-new', 'warn']);
    assert.deepEqual(order('ended'), ['ended']);
    assert.deepEqual(order('live', 'alpha'), ['ok-a']);
    assert.deepEqual(order('all', 'OK-'), ['ok-a', 'ok-b'], 'search matches the show id too, case-insensitively');
  });
});

describe('show store', () => {
  test('events pushed in one frame are applied together, per show, with one notification', () => {
    let pending: (() => void) | undefined;
    const store = createShowStore({ schedule: (f) => (pending = f) });
    let notified = 0;
    store.subscribe(() => notified++);
    store.push(ev('a', 'transcript', { text: 'one', final: true, role: 'user' }));
    store.push(ev('b', 'viewer_joined', { viewers: 4 }));
    store.push(ev('a', 'transcript', { text: 'two', final: true, role: 'user' }));
    assert.equal(store.getSnapshot().size, 0, 'nothing applied before the frame');
    pending!();
    assert.equal(notified, 1);
    assert.deepEqual(store.getSnapshot().get('a')!.transcript.map((l) => l.text), ['one', 'two']);
    assert.equal(store.getSnapshot().get('b')!.viewers, 4);
  });

  test('an event at or before the show’s last id is dropped: history and stream may overlap without duplicates', () => {
    const history = [ev('a', 'show_started', {}, '10'), ev('a', 'transcript', { text: 'x', final: true }, '11')];
    const store = createShowStore({ schedule: () => {} });
    store.set(reduceShowMany(undefined, history));
    const before = store.getSnapshot();
    store.push(history[1]!);
    store.push(ev('a', 'transcript', { text: 'y', final: true }, '12'));
    store.push(ev('a', 'transcript', { text: 'y', final: true }, '12'));
    store.flush();
    const a = store.getSnapshot().get('a')!;
    assert.notEqual(store.getSnapshot(), before, 'a new snapshot object after a change');
    assert.deepEqual(a.transcript.map((l) => l.text), ['x', 'y']);
    assert.equal(a.eventCount, 3);
    assert.equal(a.lastEventId, '12');
  });

  test('interim text settles into the final line through the shared reducer', () => {
    const store = createShowStore({ schedule: () => {} });
    store.push(ev('a', 'transcript', { text: 'hel', final: false, itemId: 'i1', role: 'user' }));
    store.flush();
    assert.equal(store.getSnapshot().get('a')!.transcript[0]!.final, false);
    store.push(ev('a', 'transcript', { text: 'hello there', final: true, itemId: 'i1', role: 'user' }));
    store.flush();
    assert.deepEqual(store.getSnapshot().get('a')!.transcript.map((l) => [l.text, l.final]), [['hello there', true]]);
  });

  test('20,000 lines at 50 events per frame: all kept in order; each frame a new array, the last snapshot left as it was', () => {
    const store = createShowStore({ schedule: () => {} });
    let prev: ShowState | undefined;
    for (let frame = 0; frame < 400; frame++) {
      for (let i = 0; i < 50; i++) store.push(ev('big', 'transcript', { text: `l${frame * 50 + i}`, final: true, role: 'user' }));
      store.flush();
      const next = store.getSnapshot().get('big')!;
      // React compares by identity and may still be rendering the previous snapshot.
      if (prev) {
        assert.notEqual(next.transcript, prev.transcript);
        assert.equal(prev.transcript.length, frame * 50);
      }
      prev = next;
    }
    const big = store.getSnapshot().get('big')!;
    assert.equal(big.transcript.length, 20_000);
    assert.ok(big.transcript.every((l, i) => l.text === `l${i}`), 'every line once, in push order');
  });

  test('a wall summary becomes a state the reducer can continue', () => {
    const full = reduceShowMany(undefined, [ev('w', 'show_started', { title: 'T' }), ev('w', 'transcript', { text: 'hi', final: true }), ev('w', 'product_created', { product: { id: 'p', name: 'P', price: 1, currency: 'USD' } })]);
    const { transcript, actions: _a, viewerHistory: _v, products: _p, ...rest } = full;
    const summary: ShowSummary = { ...rest, lastTranscript: transcript.at(-1)!, productCount: 1 };
    const state = summaryToState(summary);
    const next = reduceShowMany(state, [ev('w', 'viewer_joined', { viewers: 9 })]);
    assert.equal(next.title, 'T');
    assert.equal(next.transcript[0]!.text, 'hi');
    assert.equal(next.productOrder.length, 1);
    assert.equal(next.viewers, 9);
    assert.equal(next.eventCount, 4);
  });
});

describe('formatting', () => {
  test('durations and sparklines', () => {
    assert.equal(formatDuration(62), '1:02');
    assert.equal(formatDuration(3723), '1:02:03');
    assert.equal(formatDuration(-5), '0:00');
    assert.equal(sparklinePoints([], 100, 20), '');
    assert.equal(sparklinePoints([[0, 0], [5, 10], [10, 5]], 100, 20, 0), '0,20 50,0 100,10');
    assert.equal(sparklinePoints([[3, 4]], 100, 20, 0), '0,0 100,0', 'one sample is a flat line');
  });
});
