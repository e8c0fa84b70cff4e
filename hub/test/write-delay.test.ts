import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { compareIds } from '../src/log/ids.js';
import { listen, metricValue, postJson, rawConnect, readMetrics, startHub, waitFor, type RawConnection, type TestHub } from '@showwire/testkit';

const DELAY = 20;

/**
 * Counts the hub's writes to one client's socket, by patching net.Socket's write in this process
 * (the hub runs in-process): what the kernel is asked to send, which is what coalescing saves.
 */
function countWrites(client: RawConnection): { count: () => number; restore: () => void } {
  const original = Socket.prototype.write; // eslint-disable-line @typescript-eslint/unbound-method -- kept to be restored, and called with its socket as `this`
  const port = client.socket.localPort;
  let n = 0;
  Socket.prototype.write = function (this: Socket, ...args: unknown[]) {
    if (this.remotePort === port && this !== client.socket) n++;
    return (original as (...a: unknown[]) => boolean).apply(this, args);
  };
  return { count: () => n, restore: () => void (Socket.prototype.write = original) };
}

/** A raw SSE client on `path`: the ids it received, in order, read from the frames' `id:` lines. */
async function rawStream(hub: TestHub, path: string, token: string) {
  const c = await rawConnect(hub.url);
  c.socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n`);
  await c.until((t) => t.includes('retry:'), 'the stream head');
  const ids = () => [...c.received().matchAll(/^id: (\S+)$/gm)].map((m) => m[1]!);
  /** When each id first arrived (ms, performance.now()). */
  const arrived = new Map<string, number>();
  c.socket.on('data', () => {
    for (const id of ids()) if (!arrived.has(id)) arrived.set(id, performance.now());
  });
  return { c, ids, arrived };
}

/** Posts `count` single events one after another (each its own commit and fan-out), answering their ids. */
async function postOneByOne(hub: TestHub, token: string, show: string, count: number, from = 0): Promise<string[]> {
  const ids: string[] = [];
  for (let n = from; n < from + count; n++) {
    const res = await postJson(`${hub.url}/api/shows/${show}/events`, { type: 'seq', n }, token);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    ids.push(res.body.ids[0]);
  }
  return ids;
}

describe(`write coalescing (HUB_WRITE_DELAY_MS=${DELAY})`, () => {
  let hub: TestHub;
  let agent: string;
  let staff: string;
  // The SQLite file in memory (tmpfs): a real file and real commits, but an fsync costs nothing,
  // so commits come faster than windows even on a busy machine, which is what coalescing is for.
  // On a disk whose fsync takes longer than the window, each window holds one commit anyway.
  const dataDir = mkdtempSync('/dev/shm/showwire-write-delay-');
  before(async () => {
    hub = await startHub({ HUB_DATA_DIR: dataDir, HUB_WRITE_DELAY_MS: String(DELAY), HUB_HEARTBEAT_MS: '200' });
    agent = await hub.token('agent');
    staff = await hub.token('staff');
  });
  after(async () => {
    await hub.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('events posted one by one by 4 publishers reach a raw client and an EventSource in order, no gap, no duplicate, in far fewer socket writes than commits', async () => {
    const raw = await rawStream(hub, '/api/shows/co-a/stream', staff);
    const es = listen(`${hub.url}/api/shows/co-a/stream`, { token: staff });
    await es.opened();
    // Each commit is one fan-out round: without coalescing, one write to this client each.
    let commits = 0;
    const stop = hub.app.hub.log.onAppend((records) => void (records.some((r) => r.show === 'co-a') && commits++));
    const writes = countWrites(raw.c);
    const started = performance.now();
    let ids: string[];
    try {
      ids = (await Promise.all([0, 1, 2, 3].map((p) => postOneByOne(hub, agent, 'co-a', 50, p * 50)))).flat().sort(compareIds);
      await raw.c.until(() => raw.ids().length >= 200, '200 events on the raw client');
      await es.until(() => es.events.length >= 200, 20_000, '200 events on the EventSource');
    } finally {
      writes.restore();
      stop();
    }
    const elapsed = performance.now() - started;
    assert.deepEqual(raw.ids(), ids, 'raw client: every event once, in id order');
    assert.deepEqual(es.events.map((e) => e.id), ids, 'EventSource: every event once, in id order');
    // At most one write per window (heartbeats, also held, share it), and far fewer than commits.
    const windows = Math.ceil(elapsed / DELAY) + 1;
    const what = `${writes.count()} writes for ${commits} commits in ${Math.round(elapsed)} ms`;
    assert.ok(writes.count() <= windows, `${what}: more than one per ${DELAY} ms window`);
    assert.ok(writes.count() * 2 <= commits, what);

    es.close();
    raw.c.socket.destroy();
  });

  it('holds an event no longer than the write delay: it arrives within one window of its 2xx', async () => {
    const raw = await rawStream(hub, '/api/shows/co-b/stream', staff);
    for (let n = 0; n < 5; n++) {
      const res = await postJson(`${hub.url}/api/shows/co-b/events`, { type: 'seq', n }, agent);
      const answered = performance.now();
      assert.equal(res.status, 201);
      const id = res.body.ids[0] as string;
      await raw.c.until(() => raw.ids().includes(id), 'the event');
      // The window is at most DELAY; the slack is for a loaded machine's timers.
      const late = raw.arrived.get(id)! - answered;
      assert.ok(late <= DELAY + 80, `event ${n} arrived ${late.toFixed(1)} ms after its 2xx`);
    }
    raw.c.socket.destroy();
  });

  it('a resume while events are being published gets the replay then live, no gap, no duplicate', async () => {
    const live = listen(`${hub.url}/api/shows/co-c/stream`, { token: staff });
    await live.opened();
    const first = await postOneByOne(hub, agent, 'co-c', 100);
    let late: ReturnType<typeof listen> | undefined;
    const rest: string[] = [];
    for (let k = 0; k < 10; k++) {
      // Join part-way, from the 50th event, while the next posts go out.
      if (k === 3) late = listen(`${hub.url}/api/shows/co-c/stream?lastEventId=${first[49]}`, { token: staff });
      rest.push(...(await postOneByOne(hub, agent, 'co-c', 20, 100 + k * 20)));
    }
    const all = [...first, ...rest];
    await late!.until(() => late!.events.length >= 250, 20_000, '250 events on the resumed client');
    await live.until(() => live.events.length >= 300, 20_000, '300 events on the live client');
    // One more, so a duplicate held back would show.
    const [end] = await postOneByOne(hub, agent, 'co-c', 1, 300);
    await late!.until(() => late!.events.at(-1)?.id === end, 20_000, 'the end marker');
    late!.close();
    live.close();
    assert.deepEqual(late!.events.map((e) => e.id), [...all.slice(50), end]);
    assert.deepEqual(live.events.map((e) => e.id), [...all, end]);
  });

  it('heartbeats keep coming, without an id', async () => {
    const raw = await rawStream(hub, '/api/shows/co-d/stream', staff);
    await raw.c.until((t) => (t.match(/"type":"heartbeat"/g) ?? []).length >= 3, '3 heartbeats');
    assert.deepEqual(raw.ids(), []);
    raw.c.socket.destroy();
  });

  it('a client that stops reading is still closed as slow, and the others keep their streams', async () => {
    const before = metricValue(await readMetrics(hub.url, staff), 'showwire_sse_closes_total', { reason: 'slow' });
    const stuck = await rawStream(hub, '/api/shows/co-e/stream', staff);
    stuck.c.socket.pause();
    const reader = listen(`${hub.url}/api/shows/co-e/stream`, { token: staff });
    await reader.opened();
    const blob = 'x'.repeat(4000);
    let posted = 0;
    // Bounded: 80 MB at most, far past the 1 MiB buffer bound plus what the kernel holds.
    for (let b = 0; b < 200 && !stuck.c.isClosed(); b++) {
      const res = await postJson(`${hub.url}/api/shows/co-e/events`, Array.from({ length: 100 }, (_, k) => ({ type: 'blob', n: b * 100 + k, blob })), agent);
      assert.equal(res.status, 201);
      posted += 100;
    }
    stuck.c.socket.resume();
    await stuck.c.closed;
    const slow = await waitFor('the slow close counted', async () => {
      const v = metricValue(await readMetrics(hub.url, staff), 'showwire_sse_closes_total', { reason: 'slow' });
      return v > before && v;
    });
    assert.equal(slow, before + 1, 'only the stuck client was closed as slow');
    await reader.until(() => reader.events.length >= posted, 60_000, `${posted} events on the reading client`);
    assert.deepEqual(reader.events.map((e) => e.data.n), Array.from({ length: posted }, (_, n) => n));
    assert.equal(reader.opens(), 1, 'the reading client was never cut');
    reader.close();
  });
});

describe('write coalescing on shutdown', () => {
  it('what the write delay still holds reaches the client before the stream ends', async () => {
    const hub = await startHub({ HUB_WRITE_DELAY_MS: '1000' });
    let closed = false;
    try {
      const raw = await rawStream(hub, '/api/shows/co-f/stream', await hub.token('staff'));
      const res = await postJson(`${hub.url}/api/shows/co-f/events`, { type: 'seq', n: 0 }, await hub.token('agent'));
      assert.equal(res.status, 201);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(raw.ids(), [], 'held for the window');
      closed = true;
      await hub.close();
      await raw.c.closed;
      assert.deepEqual(raw.ids(), res.body.ids);
      assert.match(raw.c.received(), /"n":0\}\n\n\r\nc\r\nretry: 500\n\n\r\n0\r\n\r\n$/, 'the event, then the retry hint, then the end of the body');
    } finally {
      if (!closed) await hub.close();
    }
  });
});
