import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { quantile } from '../src/load/histogram.js';
import { openSubscribers } from '../src/load/subscribers.js';

/** SSE frames the way a server might cut them: chunk sizes, lines and CRLFs split across reads. */
function frames(count: number): string {
  let out = ': hi\n\nretry: 2000\n\n';
  for (let seq = 1; seq <= count; seq++) out += `id: ${seq}\ndata: {"type":"bench.tick","seq":${seq},"sentUs":1,"text":"x"}\n\n`;
  out += 'data: {"type":"heartbeat","timestamp":1}\n\n';
  return out;
}

function chunked(body: string, size: number): string {
  let out = '';
  for (let i = 0; i < body.length; i += size) {
    const part = body.slice(i, i + size);
    out += `${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`;
  }
  return out;
}

/** A raw TCP server answering each connection with `wire`, written in pieces of `piece` bytes. */
async function serve(head: string, wire: string, piece: number): Promise<{ server: Server; url: string }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.once('data', () => {
      const all = head + wire;
      const write = (i: number) => {
        if (i >= all.length || socket.destroyed) return;
        socket.write(all.slice(i, i + piece));
        setImmediate(write, i + piece);
      };
      write(0);
    });
  });
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}/sub` };
}

describe('load engine subscribers', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));

  /** `subscribers` subscribers to a server sending `wire` in pieces; what they saw once each had `expected` events, or after `timeoutMs`. */
  async function receive(head: string, wire: string, piece: number, subscribers: number, expected: number, timeoutMs: number) {
    const { server, url } = await serve(head, wire, piece);
    servers.push(server);
    const subs = openSubscribers(url, subscribers, {});
    await subs.connect();
    const stats = await subs.waitFor(expected, timeoutMs);
    subs.close();
    return stats;
  }

  for (const [name, head, wire] of [
    ['chunked (hub style)', 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n', chunked(frames(200), 37)],
    ['close-delimited (Nchan style)', 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: keep-alive\r\n\r\n', frames(200)],
  ] as const) {
    it(`reads every event once, in order, from a ${name} stream cut at awkward places`, async () => {
      const stats = await receive(head, wire, 13, 3, 200, 20_000);
      assert.equal(stats.connected, 3);
      assert.equal(stats.received, 600, 'heartbeats and comments are not counted');
      assert.equal(stats.complete, 3);
      assert.equal(stats.outOfSequence, 0);
      assert.equal(stats.latency.n, 600);
      assert.ok(quantile(stats.latency, 0.5) > 0);
    });
  }

  it('counts a non-200 answer as a failed subscriber, with the status', async () => {
    const { server, url } = await serve('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n', '', 64);
    servers.push(server);
    const subs = openSubscribers(url, 2, {});
    await subs.connect();
    const stats = subs.snapshot();
    subs.close();
    assert.equal(stats.connected, 0);
    assert.equal(stats.failed, 2);
    assert.deepEqual(stats.errors, ['HTTP 403', 'HTTP 403']);
  });

  it('sees a gap: an event missing from the stream is counted out of sequence and the subscriber is incomplete', async () => {
    const gappy = frames(10).replace(/id: 5\ndata: [^\n]*\n\n/, '');
    const stats = await receive('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n', gappy, 50, 1, 10, 1500);
    assert.equal(stats.received, 9);
    assert.equal(stats.complete, 0);
    assert.equal(stats.outOfSequence, 1);
  });

  it('counts every event of a line that packs many (a Centrifugo recovery), also when the line spans many reads', async () => {
    const pubs = Array.from({ length: 3000 }, (_, i) => `{"data":{"type":"bench.tick","seq":${i + 1},"sentUs":1,"text":"x"},"offset":${i + 2}}`);
    const line = `data: {"connect":{"subs":{"resume:x":{"publications":[${pubs.join(',')}],"recovered":true}}}}\n\n`;
    const stats = await receive('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n', line, 4096, 1, 3000, 20_000);
    assert.equal(stats.received, 3000);
    assert.equal(stats.complete, 1);
    assert.equal(stats.outOfSequence, 0);
    assert.ok(stats.lastUs > 0, 'the arrival of the last event is kept');
  });
});
