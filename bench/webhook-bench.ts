import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpuUs, postForText } from '@showwire/stream-test/load';
import { startHub } from './servers.js';

/**
 * Webhook deliveries per second from a hub of its own (the built hub, SQLite outbox, signing,
 * undici) to one local receiver answering 204: `events` events posted in batches of 1000 to one
 * endpoint, timed until the last delivery arrived. HUB_WEBHOOK_* variables pass through to the hub.
 */
export async function runWebhooks(events: number) {
  let received = 0;
  let done: () => void = () => {};
  const allIn = new Promise<void>((resolve) => (done = resolve));
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(204).end();
      if (++received === events) done();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const hub = await startHub({ HUB_WEBHOOK_ALLOW_PRIVATE: 'true' });
  try {
    const post = async (path: string, body: unknown) => {
      const r = await postForText(`${hub.base}${path}`, JSON.stringify(body));
      if (r.status >= 300) throw new Error(`${path}: ${r.status} ${r.text}`);
    };
    await post('/api/webhooks/endpoints', { url: hookUrl, description: 'bench' });
    const cpu0 = cpuUs(hub.pids()).total;
    const started = performance.now();
    for (let sent = 0; sent < events; sent += 1000) {
      const n = Math.min(1000, events - sent);
      await post('/api/shows/bench/events', Array.from({ length: n }, (_, i) => ({ type: 'bench_event', n: sent + i, text: 'x'.repeat(200) })));
    }
    const postedMs = performance.now() - started;
    const timeout = setTimeout(done, 600_000);
    await allIn;
    clearTimeout(timeout);
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuUs(hub.pids()).total - cpu0;
    return {
      events,
      delivered: received,
      seconds: Math.round(seconds * 100) / 100,
      postedSeconds: Math.round(postedMs / 10) / 100,
      deliveriesPerSec: Math.round(received / seconds),
      // All the hub did meanwhile: taking the events in (small, batches of 1000) and delivering them.
      hubCpuUsPerDelivery: received ? Math.round(cpu / received) : null,
      endpointConcurrency: Number(process.env.HUB_WEBHOOK_ENDPOINT_CONCURRENCY ?? 8),
    };
  } finally {
    await hub.stop();
    receiver.close();
  }
}

export type WebhookResult = Awaited<ReturnType<typeof runWebhooks>>;
