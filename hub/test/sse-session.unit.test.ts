import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { dataFrame, eventFrame, retryFrame, WireChunk } from '../src/fanout/frames.js';
import { Session, type CloseReason, type SessionLimits } from '../src/fanout/session.js';
import { compareIds, formatId } from '../src/log/ids.js';

/**
 * The SSE session on its own: a plain node:http server hands each request's response to a
 * Session (headers and `retry:` hint written as the stream route does), and a node:http client
 * reads, or stops reading, the frames. Only the transport is real; nothing of ours is faked.
 */

const EPOCH = 'unittest';
const id = (n: number) => formatId(EPOCH, n);
const item = (n: number, pad = '') => ({ id: id(n), frame: eventFrame(id(n), JSON.stringify({ type: 'note', n, pad })) });
const items = (...ns: number[]) => ns.map((n) => item(n));
const chunkOf = (xs: ReadonlyArray<{ frame: string }>) => new WireChunk(xs.map((x) => x.frame).join(''));
/** A live delivery as the fan-out makes it: the items and their frames joined into one shared chunk. */
const deliver = (s: Session, xs: ReadonlyArray<{ id: string; frame: string }>) => s.deliver(chunkOf(xs), xs);
const replayPage = (s: Session, xs: ReadonlyArray<{ id: string; frame: string }>) => s.replay(chunkOf(xs).text, xs.length, xs.at(-1)!.id);

const LIMITS: SessionLimits = { maxBufferedBytes: 1 << 20, maxBufferedEvents: 4, replayStallMs: 300 };

let server: Server;
let url: string;
let limits = LIMITS;
const waiting: Array<(s: Session) => void> = [];

before(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' });
    res.socket?.setNoDelay(true);
    res.write(retryFrame(1000));
    // As the stream route does: the head and hint must leave before frames go straight to the socket.
    while (res.writableCorked) res.uncork();
    waiting.shift()!(new Session(res, limits, compareIds));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

interface Client {
  res: IncomingMessage;
  /** Everything read so far. */
  text: () => string;
  /** Starts reading (a client opened with `paused` reads nothing until then). */
  read: () => void;
  /** Resolves when the response ends: 'end' for a proper end, 'aborted' when the connection was cut. */
  ended: Promise<'end' | 'aborted'>;
}

/** Opens a stream; the session and the client's side of it. */
async function open(opts: { paused?: boolean; limits?: SessionLimits } = {}): Promise<{ session: Session; client: Client; reasons: CloseReason[] }> {
  limits = opts.limits ?? LIMITS;
  const sessionP = new Promise<Session>((resolve) => waiting.push(resolve));
  const req = get(url, { agent: false });
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  const session = await sessionP;
  const reasons: CloseReason[] = [];
  session.onClose((r) => reasons.push(r));
  let body = '';
  const ended = new Promise<'end' | 'aborted'>((resolve) => {
    res.on('end', () => resolve('end'));
    res.on('error', () => resolve('aborted'));
    res.on('aborted', () => resolve('aborted'));
    res.on('close', () => resolve(res.complete ? 'end' : 'aborted'));
    req.on('error', () => resolve('aborted'));
  });
  const read = () => {
    res.setEncoding('utf8');
    res.on('data', (d: string) => (body += d));
    // A stream paused explicitly stays paused when a 'data' listener is added.
    res.resume();
  };
  if (opts.paused) res.pause();
  else read();
  return { session, client: { res, text: () => body, read, ended }, reasons };
}

/** The frames a client read, without the `retry:` hint: `id` (or undefined) and the payload's `n` or `type`. */
function frames(text: string): Array<{ id?: string; data: Record<string, unknown> }> {
  if (text === '') return [];
  assert.ok(text.startsWith(retryFrame(1000)), 'the stream opens with its retry hint');
  return text
    .slice(retryFrame(1000).length)
    .split('\n\n')
    .filter(Boolean)
    .map((f) => {
      const lines = f.split('\n');
      const idLine = lines.find((l) => l.startsWith('id: '));
      const dataLine = lines.find((l) => l.startsWith('data: '));
      assert.ok(dataLine, `a frame with data: ${f.slice(0, 80)}`);
      return { ...(idLine && { id: idLine.slice(4) }), data: JSON.parse(dataLine.slice(6)) as Record<string, unknown> };
    });
}
const ns = (text: string) => frames(text).filter((f) => f.id !== undefined).map((f) => f.data.n as number);

/** A slow client's connection is cut (no orderly end), and its session takes nothing more. */
async function closedAsSlow(session: Session, client: Client, reasons: CloseReason[]) {
  assert.deepEqual(reasons, ['slow']);
  client.read();
  assert.equal(await client.ended, 'aborted', 'the buffer is dropped at once: no orderly end');
  deliver(session, items(5000));
  session.notice(dataFrame({ type: 'heartbeat' }));
  assert.deepEqual(reasons, ['slow'], 'a closed session closes once');
  assert.ok(!client.text().includes(id(5000)), 'a closed session writes nothing');
}

async function until(what: string, check: () => boolean, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Writes live frames of `bytes` each to a client that does not read, until the session closes (at
 * most `max`): how many were delivered, at which one the socket first asked to wait, and how
 * many bytes it held before the delivery that closed the session.
 */
function flood(session: Session, bytes: number, max: number, from = 100) {
  const pad = 'x'.repeat(bytes);
  const socket = session.res.socket!;
  let written = 0;
  let firstFull: number | undefined;
  let bufferedBefore = 0;
  while (!session.closed && written < max) {
    bufferedBefore = socket.writableLength;
    deliver(session, [item(from + written++, pad)]);
    if (firstFull === undefined && !session.closed && socket.writableNeedDrain) firstFull = written;
  }
  return { written, firstFull, bufferedBefore };
}


// A hang (a replay that never wakes) fails instead of stalling the run.
describe('SSE session (unit)', { timeout: 20_000 }, () => {
  it('writes the replay, then the held live events after it, in order, with no gap and no duplicate', async () => {
    const { session, client } = await open();
    // Live events arrive while the replay runs: some the replay also reads (2, 3), some it does not (4, 5).
    deliver(session, items(2, 3));
    await replayPage(session, items(1, 2));
    deliver(session, items(4, 5));
    await replayPage(session, items(3));
    assert.equal(session.cursor, id(3));
    session.goLive();
    assert.equal(session.cursor, id(5));
    deliver(session, items(6));
    await until('six events', () => ns(client.text()).length >= 6);
    assert.deepEqual(ns(client.text()), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(frames(client.text()).map((f) => f.id), [1, 2, 3, 4, 5, 6].map(id));
    session.close('shutdown');
  });

  it('never writes an event at or before its cursor: the replay meets the live path', async () => {
    const { session, client } = await open();
    await replayPage(session, items(1, 2, 3, 4, 5, 6, 7, 8, 9));
    session.goLive();
    // On Redis the live copy of what the replay read can come after it: whole, partly, or one at a time.
    deliver(session, items(8, 9));
    deliver(session, items(9, 10, 11));
    deliver(session, items(11));
    deliver(session, items(10));
    deliver(session, items(12));
    session.close('shutdown');
    assert.equal(await client.ended, 'end');
    assert.deepEqual(ns(client.text()), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.equal(session.cursor, id(12));
  });

  it('held events the replay already wrote are not written again when it goes live', async () => {
    const { session, client } = await open();
    deliver(session, items(1, 2));
    await replayPage(session, items(1, 2, 3));
    session.goLive();
    deliver(session, items(4));
    session.close('shutdown');
    assert.equal(await client.ended, 'end');
    assert.deepEqual(ns(client.text()), [1, 2, 3, 4]);
  });

  it('a replay that holds too many live events drops them and counts it (the replay reads them back)', async () => {
    const { session, client } = await open();
    deliver(session, items(1, 2, 3));
    deliver(session, items(4, 5)); // five held > maxBufferedEvents (4): dropped
    assert.equal(session.drops, 1);
    deliver(session, items(6));
    await replayPage(session, items(1, 2, 3, 4, 5));
    session.goLive();
    session.close('shutdown');
    assert.equal(await client.ended, 'end');
    assert.deepEqual(ns(client.text()), [1, 2, 3, 4, 5, 6]);
  });

  it('the held bound counts bytes too', async () => {
    const { session } = await open({ limits: { ...LIMITS, maxBufferedBytes: 1000 } });
    deliver(session, [item(1, 'x'.repeat(600))]);
    assert.equal(session.drops, 0, 'under the byte bound');
    deliver(session, [item(2, 'x'.repeat(600))]);
    assert.equal(session.drops, 1, 'over the byte bound');
    session.close('shutdown');
  });

  it('heartbeats and notices carry no id and do not move the cursor, during the replay and live', async () => {
    const { session, client } = await open();
    session.notice(dataFrame({ type: 'history_truncated', reason: 'unknown_resume_point' }));
    await replayPage(session, items(1));
    session.notice(new WireChunk(dataFrame({ type: 'heartbeat' })));
    session.goLive();
    deliver(session, items(2));
    session.notice(dataFrame({ type: 'heartbeat' }));
    assert.equal(session.cursor, id(2));
    session.close('shutdown');
    assert.equal(await client.ended, 'end');
    assert.deepEqual(
      frames(client.text()).map((f) => [f.id, f.data.type === 'note' ? f.data.n : f.data.type]),
      [
        [undefined, 'history_truncated'],
        [id(1), 1],
        [undefined, 'heartbeat'],
        [id(2), 2],
        [undefined, 'heartbeat'],
      ],
    );
  });

  it("closes a live client that stops reading as 'slow' once more events than the bound wait", async () => {
    const { session, client, reasons } = await open({ paused: true, limits: { ...LIMITS, maxBufferedBytes: 1 << 30 } });
    await replayPage(session, items(1));
    session.goLive();
    const { written, firstFull } = flood(session, 64 * 1024, 2000);
    assert.ok(session.closed, `closed after ${written} frames of 64 KiB`);
    assert.ok(firstFull !== undefined, 'the socket asked to wait');
    // The first write the socket refused counts one; the fifth (over maxBufferedEvents = 4) closes.
    assert.equal(written - firstFull, LIMITS.maxBufferedEvents);
    await closedAsSlow(session, client, reasons);
  });

  it("closes a live client that stops reading as 'slow' once more bytes than the bound wait", async () => {
    const bound = 1 << 20;
    const { session, client, reasons } = await open({ paused: true, limits: { ...LIMITS, maxBufferedEvents: 1 << 30, maxBufferedBytes: bound } });
    await replayPage(session, items(1));
    session.goLive();
    const { written, bufferedBefore } = flood(session, 64 * 1024, 2000);
    assert.ok(session.closed, `closed after ${written} frames of 64 KiB`);
    assert.ok(bufferedBefore <= bound && bufferedBefore > bound - 70 * 1024, `closed by the write that crossed the bound (${bufferedBefore} bytes waited before it)`);
    await closedAsSlow(session, client, reasons);
  });

  it('a client that keeps reading is never closed as slow', async () => {
    const { session, client, reasons } = await open();
    await replayPage(session, items(1));
    session.goLive();
    const pad = 'x'.repeat(16 * 1024);
    for (let n = 2; n <= 400; n++) {
      deliver(session, [item(n, pad)]);
      // The fan-out's pace: a batch, then the event loop (the client reads meanwhile).
      if (n % 4 === 0) await new Promise((r) => setImmediate(r));
    }
    await until('400 events', () => ns(client.text()).length === 400, 20_000);
    assert.equal(session.closed, false);
    assert.deepEqual(reasons, []);
    assert.deepEqual(ns(client.text()), Array.from({ length: 400 }, (_, i) => i + 1));
    session.close('shutdown');
  });

  it("a replay waits for a client that is not reading, and closes it as 'slow' after replayStallMs", async () => {
    const { session, client, reasons } = await open({ paused: true });
    const pad = 'x'.repeat(256 * 1024);
    let n = 0;
    let waited = 0;
    // Pages go out until the socket asks the replay to wait; that wait ends in the stall timeout.
    while (!session.closed && n < 200) {
      const started = Date.now();
      await replayPage(session, [item(++n, pad)]);
      waited = Date.now() - started;
    }
    assert.ok(session.closed, `closed after ${n} pages`);
    assert.deepEqual(reasons, ['slow']);
    assert.ok(waited >= LIMITS.replayStallMs - 20, `the last page waited ${waited} ms for the stall timeout`);
    client.read();
    assert.equal(await client.ended, 'aborted');
  });

  it('a paced replay resumes when the client reads again, and nothing is lost', async () => {
    const { session, client, reasons } = await open({ paused: true, limits: { ...LIMITS, replayStallMs: 60_000 } });
    const pad = 'x'.repeat(256 * 1024);
    let n = 0;
    let blocked: Promise<void> | undefined;
    while (n < 200) {
      const page = replayPage(session, [item(++n, pad)]);
      const done = await Promise.race([page.then(() => true), new Promise((r) => setTimeout(() => r(false), 50))]);
      if (!done) {
        blocked = page;
        break;
      }
    }
    assert.ok(blocked, `the socket asked the replay to wait within ${n} pages`);
    client.read();
    await blocked;
    assert.equal(session.closed, false);
    session.goLive();
    deliver(session, items(n + 1));
    session.close('shutdown');
    assert.equal(await client.ended, 'end');
    assert.deepEqual(ns(client.text()), Array.from({ length: n + 1 }, (_, i) => i + 1));
    assert.deepEqual(reasons, ['shutdown']);
  });

  it("close('shutdown') writes its final frame and ends the response in order", async () => {
    const { session, client, reasons } = await open();
    await replayPage(session, items(1));
    session.goLive();
    session.close('shutdown', retryFrame(5000));
    assert.equal(await client.ended, 'end');
    assert.ok(client.text().endsWith(`${item(1).frame}retry: 5000\n\n`), client.text());
    assert.deepEqual(reasons, ['shutdown']);
  });

  it("close('expired') ends the response; a second close is ignored", async () => {
    const { session, client, reasons } = await open();
    const seen: CloseReason[] = [];
    session.onClose((r) => seen.push(r));
    session.close('expired');
    session.close('shutdown');
    assert.equal(await client.ended, 'end');
    assert.deepEqual(reasons, ['expired']);
    assert.deepEqual(seen, ['expired']);
  });

  it("close('error') cuts the connection", async () => {
    const { session, client, reasons } = await open();
    session.close('error');
    assert.equal(await client.ended, 'aborted');
    assert.deepEqual(reasons, ['error']);
  });

  it("a client that goes away closes the session as 'client', also mid-replay", async () => {
    const { session, client, reasons } = await open({ paused: true, limits: { ...LIMITS, replayStallMs: 60_000 } });
    const pad = 'x'.repeat(256 * 1024);
    let blocked: Promise<void> | undefined;
    for (let n = 1; n <= 200 && !blocked; n++) {
      const page = replayPage(session, [item(n, pad)]);
      if (!(await Promise.race([page.then(() => true), new Promise((r) => setTimeout(() => r(false), 50))]))) blocked = page;
    }
    assert.ok(blocked, 'the replay waits for the socket');
    client.res.destroy();
    await blocked; // the wait ends with the close, not after replayStallMs
    assert.equal(session.closed, true);
    assert.deepEqual(reasons, ['client']);
  });
});
