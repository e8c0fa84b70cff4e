import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { mintToken } from '../src/auth/tokens.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { postJson, spawnHub, startHub, tempDir, parseResponses, rawConnect, waitFor } from '@showwire/testkit';

const streamHead = (path: string, token: string) => `GET ${path} HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ${token}\r\n\r\n`;
const sawStreamHead = (t: string) => t.startsWith('HTTP/1.1 200') && t.includes('retry:');

describe('connection settings', () => {
  it('have their defaults, and a head timeout longer than the request timeout is refused naming both', () => {
    const c = loadConfig({});
    assert.deepEqual(
      [c.HUB_HEADERS_TIMEOUT_MS, c.HUB_REQUEST_TIMEOUT_MS, c.HUB_MAX_CONNECTIONS, c.HUB_DRAIN_TIMEOUT_MS],
      [10_000, 30_000, 10_000, 10_000],
    );
    assert.throws(
      () => loadConfig({ HUB_HEADERS_TIMEOUT_MS: '20000', HUB_REQUEST_TIMEOUT_MS: '5000' }),
      (e: unknown) => e instanceof ConfigError && /HUB_HEADERS_TIMEOUT_MS: must be at most HUB_REQUEST_TIMEOUT_MS \(5000\)/.test(e.message),
    );
    assert.throws(() => loadConfig({ HUB_MAX_CONNECTIONS: '0' }), /HUB_MAX_CONNECTIONS: must be at least 1/);
  });
});

describe('connections that send nothing, or half a request', () => {
  it('are closed after HUB_HEADERS_TIMEOUT_MS; a stream and a request sent in time are not', async () => {
    const hub = await startHub({ HUB_HEADERS_TIMEOUT_MS: '300', HUB_REQUEST_TIMEOUT_MS: '1000', HUB_HEARTBEAT_MS: '200' });
    try {
      const staff = await hub.token('staff');
      const agent = await hub.token('agent');
      const stream = await rawConnect(hub.url);
      stream.socket.write(streamHead('/api/shows/idle/stream', staff));
      await stream.until(sawStreamHead, 'the stream head');
      const silent = await Promise.all(Array.from({ length: 20 }, () => rawConnect(hub.url)));
      const halfHead = await rawConnect(hub.url);
      halfHead.socket.write('GET /healthz HTTP/1.1\r\nHost: hub\r\n');
      const halfBody = await rawConnect(hub.url);
      halfBody.socket.write(`POST /api/shows/idle/events HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ${agent}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"type":`);
      await Promise.all([...silent, halfHead, halfBody].map((c) => c.closed));
      // Node answers what it reaps with a 408 before closing.
      assert.match(halfHead.received(), /^HTTP\/1\.1 408/);
      assert.match(halfBody.received(), /^HTTP\/1\.1 408/);
      // The stream, far past both timeouts (and heartbeats going out), is still open and live.
      assert.equal(stream.isClosed(), false, 'the stream was not reaped');
      const [id] = (await postJson(`${hub.url}/api/shows/idle/events`, { type: 'after-reap' }, agent)).body.ids;
      await stream.until((t) => t.includes(`id: ${id}\n`), 'the live event');
      stream.socket.destroy();
    } finally {
      await hub.close();
    }
  });
});

describe('HUB_MAX_CONNECTIONS', () => {
  it('a stream over the cap gets 503 with Retry-After in the error shape; short requests still pass; a freed slot is taken', async () => {
    const hub = await startHub({ HUB_MAX_CONNECTIONS: '3' });
    try {
      const staff = await hub.token('staff');
      const agent = await hub.token('agent');
      const streams = await Promise.all([0, 1, 2].map(() => rawConnect(hub.url)));
      for (const s of streams) {
        s.socket.write(streamHead('/api/shows/cap/stream', staff));
        await s.until(sawStreamHead, 'a stream head');
      }
      const over = await rawConnect(hub.url);
      over.socket.write(streamHead('/api/shows/cap/stream', staff));
      const [refused] = parseResponses(await over.until((t) => parseResponses(t).length === 1, 'the refusal'));
      assert.equal(refused!.status, 503);
      assert.equal(refused!.headers['retry-after'], '5');
      assert.match(refused!.headers['content-type']!, /application\/json/);
      const refusal = JSON.parse(refused!.body);
      assert.equal(refusal.error, 'too_many_connections');
      assert.match(refusal.message, /maximum of 3 connections/);
      // Publishing is not a held connection: it goes through, and reaches the three streams.
      const publisher = await rawConnect(hub.url);
      const body = JSON.stringify({ type: 'x' });
      publisher.socket.write(
        `POST /api/shows/cap/events HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ${agent}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
      await publisher.closed;
      const [posted] = parseResponses(publisher.received());
      assert.equal(posted!.status, 201);
      assert.equal(JSON.parse(posted!.body).clients_notified, 3);
      over.socket.destroy();
      streams[0]!.socket.destroy();
      await waitFor('two connections left', () => hub.app.connections.count() === 2);
      const again = await rawConnect(hub.url);
      again.socket.write(streamHead('/api/shows/cap/stream', staff));
      await again.until(sawStreamHead, 'a stream head once a slot was free');
      for (const s of [again, ...streams]) s.socket.destroy();
    } finally {
      await hub.close();
    }
  });
});

describe('SIGTERM with half-sent requests', () => {
  const secret = 'connections-test-secret-0123456789abcdef';
  const key = new TextEncoder().encode(secret);

  /** Opens a hub, leaves a request line and one header (and a half body) hanging, SIGTERMs it; answers how it exited. */
  async function drainWithHalfRequests(env: Record<string, string>) {
    const dir = tempDir();
    const hub = await spawnHub({ HUB_DATA_DIR: dir, HUB_SECRET: secret, ...env });
    try {
      const agent = (await mintToken(key, { sub: 'a', role: 'agent', shows: ['*'] }, 3600)).token;
      const halfHead = await rawConnect(hub.url);
      halfHead.socket.write('GET /healthz HTTP/1.1\r\nHost: hub\r\n');
      const halfBody = await rawConnect(hub.url);
      halfBody.socket.write(`POST /api/shows/d/events HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ${agent}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"type":`);
      // The hub has them (a request answered after them on another connection).
      assert.equal((await fetch(`${hub.url}/healthz`)).status, 200);
      hub.child.kill('SIGTERM');
      const outcome = await Promise.race([hub.exited, new Promise((r) => setTimeout(() => r('still running after 20 s'), 20_000))]);
      await Promise.all([halfHead.closed, halfBody.closed]);
      return { outcome, output: hub.output() };
    } finally {
      hub.child.kill('SIGKILL');
      await hub.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('the drain deadline closes what is left: exit 0 after HUB_DRAIN_TIMEOUT_MS', async () => {
    // Timeouts far longer than the test: only the deadline can end these connections.
    const { outcome, output } = await drainWithHalfRequests({ HUB_DRAIN_TIMEOUT_MS: '1000', HUB_HEADERS_TIMEOUT_MS: '300000', HUB_REQUEST_TIMEOUT_MS: '300000' });
    assert.equal(outcome, 0, output);
    assert.match(output, /drain deadline: closing what is left/);
  });

  it('head and body timeouts keep reaping while draining, long before the deadline', async () => {
    const { outcome, output } = await drainWithHalfRequests({ HUB_DRAIN_TIMEOUT_MS: '600000', HUB_HEADERS_TIMEOUT_MS: '2000', HUB_REQUEST_TIMEOUT_MS: '3000' });
    assert.equal(outcome, 0, output);
    assert.doesNotMatch(output, /drain deadline/);
  });
});

describe('pipelined requests', () => {
  it('GET, POST, GET written at once on one connection: the last GET sees the event the POST acknowledged (20 of 20)', async () => {
    const hub = await startHub();
    try {
      const agent = await hub.token('agent', ['*']);
      const staff = await hub.token('staff');
      for (let round = 0; round < 20; round++) {
        const show = `pipe-${round}`;
        const get = `GET /api/shows/${show}/events?after=0 HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ${staff}\r\n\r\n`;
        const body = JSON.stringify({ type: 'piped', round });
        const post = `POST /api/shows/${show}/events HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ${agent}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
        const c = await rawConnect(hub.url);
        c.socket.write(get + post + get);
        const [first, stored, last] = parseResponses(await c.until((t) => parseResponses(t).length === 3, 'three answers'));
        c.socket.destroy();
        assert.equal(first!.status, 200);
        assert.deepEqual(JSON.parse(first!.body).events, [], `round ${round}: the first GET ran before the POST`);
        assert.equal(stored!.status, 201);
        const [id] = JSON.parse(stored!.body).ids;
        assert.equal(last!.status, 200);
        assert.deepEqual(
          JSON.parse(last!.body).events.map((e: { id: string }) => e.id),
          [id],
          `round ${round}: the last GET sees the acknowledged event`,
        );
      }
    } finally {
      await hub.close();
    }
  });
});

describe('an idle kept-alive connection', () => {
  it('is told HUB_HEADERS_TIMEOUT_MS and closed then (plus Node\'s 1 s grace), not after Fastify\'s 72 s', async () => {
    const hub = await startHub({ HUB_HEADERS_TIMEOUT_MS: '1000', HUB_REQUEST_TIMEOUT_MS: '5000' });
    try {
      const c = await rawConnect(hub.url);
      c.socket.write('GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n');
      const [answer] = parseResponses(await c.until((t) => parseResponses(t).length === 1, 'the answer'));
      const answeredAt = Date.now();
      assert.equal(answer!.status, 200);
      assert.equal(answer!.headers['keep-alive'], 'timeout=1', 'the answer names the idle deadline');
      const closedIn = await Promise.race([c.closed.then(() => Date.now() - answeredAt), new Promise<number>((r) => setTimeout(() => r(Infinity), 6_000))]);
      c.socket.destroy();
      // Node keeps a socket 1 s past the advertised timeout (keepAliveTimeoutBuffer), so a client
      // sending just in time is not cut mid-request.
      assert.ok(closedIn >= 900 && closedIn < 3_500, `closed ${closedIn} ms after the answer`);
    } finally {
      await hub.close();
    }
  });
});
