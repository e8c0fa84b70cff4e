import { rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postJson, spawnHub, tempDir } from '@showwire/testkit';

/**
 * `npm run bench:webhooks`: deliveries per second from a real hub (its own process, SQLite
 * outbox, signing, undici) to a local receiver answering 204. BENCH_WEBHOOK_EVENTS (20000) events
 * are posted in batches of 1000 to one endpoint; HUB_WEBHOOK_* variables pass through to the hub.
 */
const events = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 20_000);
if (!Number.isInteger(events) || events <= 0) throw new Error('BENCH_WEBHOOK_EVENTS must be a positive whole number');

async function main() {
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

  const dataDir = tempDir('showwire-bench-webhooks-');
  // HUB_WEBHOOK_* variables pass through: spawnHub starts from this process's environment.
  const hub = await spawnHub({ HUB_DATA_DIR: dataDir, HUB_AUTH: 'off', HUB_WEBHOOK_ALLOW_PRIVATE: 'true', HUB_LOG_LEVEL: 'warn' });
  try {
    const post = async (path: string, body: unknown) => {
      const res = await postJson(`${hub.url}${path}`, body);
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    };
    await post('/api/webhooks/endpoints', { url: hookUrl, description: 'bench' });

    const started = performance.now();
    for (let sent = 0; sent < events; sent += 1000) {
      const n = Math.min(1000, events - sent);
      await post('/api/shows/bench/events', Array.from({ length: n }, (_, i) => ({ type: 'bench_event', n: sent + i, text: 'x'.repeat(200) })));
    }
    const posted = performance.now();
    const timeout = setTimeout(() => {
      console.error(`timed out: ${received} of ${events} delivered after 10 min`);
      process.exitCode = 1;
      done();
    }, 600_000);
    await allIn;
    clearTimeout(timeout);
    const seconds = (performance.now() - started) / 1000;
    console.log(`webhooks: ${received} deliveries in ${seconds.toFixed(2)} s = ${Math.round(received / seconds)} deliveries/s`);
    console.log(`  (events posted in ${((posted - started) / 1000).toFixed(2)} s; per-endpoint concurrency ${process.env.HUB_WEBHOOK_ENDPOINT_CONCURRENCY ?? 8})`);
  } finally {
    hub.child.kill('SIGTERM');
    await hub.exited;
    receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
