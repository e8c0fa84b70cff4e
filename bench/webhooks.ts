import { runWebhooks } from './webhook-bench.js';

/**
 * `npm run bench:webhooks`: the webhook figure of `npm run bench` on its own (see webhook-bench.ts).
 * BENCH_WEBHOOK_EVENTS (20000) events; HUB_WEBHOOK_* variables pass through to the hub.
 */
const events = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 20_000);
if (!Number.isInteger(events) || events <= 0) throw new Error('BENCH_WEBHOOK_EVENTS must be a positive whole number');

runWebhooks(events).then(
  (r) => {
    console.log(`webhooks: ${r.delivered} of ${r.events} deliveries in ${r.seconds} s = ${r.deliveriesPerSec} deliveries/s, ${r.hubCpuUsPerDelivery} µs of hub CPU each`);
    console.log(`  (events posted in ${r.postedSeconds} s; per-endpoint concurrency ${r.endpointConcurrency})`);
    if (r.delivered < r.events) process.exitCode = 1;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
