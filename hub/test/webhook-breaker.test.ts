import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { postJson, spawnHub, startHub, startReceiver, startRedis, tempDir, waitFor, type HubProcess, type RedisServer } from '@showwire/testkit';

/**
 * The circuit breaker's probe tells whether an endpoint recovered (a retry of its last failed
 * delivery, not a never-tried one), and an endpoint that answers again gets its backlog at once,
 * ahead of each message's own retry time. Retries here wait minutes: only the release is prompt.
 */
describe('webhooks: an endpoint that answers again gets its backlog at once', () => {
  const base = { HUB_AUTH: 'off', HUB_WEBHOOK_ALLOW_PRIVATE: 'true', HUB_WEBHOOK_SCHEDULE: '10m,1h', HUB_WEBHOOK_JITTER: '0', HUB_WEBHOOK_BREAKER_FAILURES: '5', HUB_WEBHOOK_BREAKER_COOLDOWN_MS: '200' };

  /** Posts 200 events to an endpoint that fails each message's first attempt and takes its second; all arrive within 30 s. */
  async function firstAttemptsFail(hubUrl: string, token?: string) {
    const seen = new Set<string>();
    const receiver = await startReceiver((r) => {
      if (seen.has(r.webhookId)) return { status: 200 };
      seen.add(r.webhookId);
      return { status: 500 };
    });
    try {
      await postJson(`${hubUrl}/api/webhooks/endpoints`, { url: receiver.url, shows: ['first-fails'] }, token);
      const posted = await postJson(`${hubUrl}/api/shows/first-fails/events`, Array.from({ length: 200 }, (_, n) => ({ type: 'order', n })), token);
      assert.equal(posted.status, 201);
      const delivered = () => new Set(receiver.received.filter((r) => r.status === 200).map((r) => r.event.id as string));
      await receiver.until(() => delivered().size === 200, 'all 200 delivered', 30_000);
      assert.deepEqual([...delivered()].sort(), [...posted.body.ids].sort());
      // Each message failed once and was taken once: no message was sent a third time.
      const perMessage = new Map<string, number>();
      for (const r of receiver.received) perMessage.set(r.webhookId, (perMessage.get(r.webhookId) ?? 0) + 1);
      assert.deepEqual(new Set(perMessage.values()), new Set([2]));
    } finally {
      await receiver.close();
    }
  }

  it('an endpoint that fails each message\'s first attempt, then takes it, receives all 200 within 30 s (retries wait 10 min)', async () => {
    const hub = await startHub(base);
    try {
      await firstAttemptsFail(hub.url);
    } finally {
      await hub.close();
    }
  });

  it('the same on Redis (the one worker, on the Redis store)', async () => {
    const redis: RedisServer = await startRedis();
    let hub: HubProcess | undefined;
    try {
      hub = await spawnHub({ ...base, HUB_STORE: redis.url, HUB_SECRET: 's'.repeat(40), HUB_DATA_DIR: `/tmp/showwire-unused-${process.pid}` });
      await firstAttemptsFail(hub.url);
    } finally {
      hub?.child.kill('SIGKILL');
      await hub?.exited;
      await redis.destroy();
    }
  });

  type Mode = 'hang' | '500' | 'cut' | 'ok';
  /** An endpoint whose behaviour can be switched; records the event ids it answered 200 to. */
  async function flakyEndpoint(mode: Mode) {
    const held: ServerResponse[] = [];
    const ok = new Set<string>();
    let attempts = 0;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        attempts++;
        if (mode === 'hang') return void held.push(res);
        if (mode === 'cut') return void req.socket.destroy();
        if (mode === '500') return void res.writeHead(500).end('down');
        ok.add(JSON.parse(Buffer.concat(chunks).toString()).id);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
      ok,
      attempts: () => attempts,
      set: (m: Mode) => void (mode = m),
      close: () => {
        for (const r of held) r.destroy();
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }

  const dataDir = tempDir('showwire-breaker-');
  const hubs: HubProcess[] = [];
  after(() => {
    for (const h of hubs) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('hanging, 500 and cut endpoints that come back get every event after a hub SIGKILL, without waiting out their retries', async () => {
    const env = { ...base, HUB_DATA_DIR: dataDir, HUB_WEBHOOK_TIMEOUT_MS: '500' };
    const endpoints = await Promise.all((['hang', '500', 'cut'] as const).map((m) => flakyEndpoint(m)));
    try {
      const first = await spawnHub(env);
      hubs.push(first);
      for (const e of endpoints) assert.equal((await postJson(`${first.url}/api/webhooks/endpoints`, { url: e.url, shows: ['comeback'] })).status, 201);
      const posted = await postJson(`${first.url}/api/shows/comeback/events`, Array.from({ length: 300 }, (_, n) => ({ type: 'order', n })));
      assert.equal(posted.status, 201);
      // Each endpoint failed enough attempts to open its breaker (and those deliveries wait 10 min).
      await waitFor('every endpoint to fail 5 attempts', async () => endpoints.every((e) => e.attempts() >= 5), 20_000);
      first.child.kill('SIGKILL');
      assert.equal(await first.exited, 'SIGKILL');

      for (const e of endpoints) e.set('ok');
      const second = await spawnHub(env);
      hubs.push(second);
      const ids = [...posted.body.ids].sort();
      await waitFor('every endpoint to get all 300 events', async () => endpoints.every((e) => e.ok.size === 300), 30_000);
      for (const e of endpoints) assert.deepEqual([...e.ok].sort(), ids);
      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0);
    } finally {
      await Promise.all(endpoints.map((e) => e.close()));
    }
  });
});
