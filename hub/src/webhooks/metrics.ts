import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Webhook metrics, on the hub's registry. Queue gauges are read from the outbox at scrape time. */
export function createWebhookMetrics(registry: Registry, queue: () => Promise<{ depth: number; oldest: number | null }>, openCircuits: () => number = () => 0) {
  return {
    deliveries: new Counter({
      name: 'showwire_webhook_deliveries_total',
      help: 'Webhook attempts by outcome: succeeded, failed (for good), retrying (failed, another attempt scheduled)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'showwire_webhook_queue_depth',
      help: 'Webhook deliveries waiting to be delivered (pending, including scheduled retries)',
      registers: [registry],
      async collect() {
        this.set((await queue()).depth);
      },
    }),
    oldestPendingAge: new Gauge({
      name: 'showwire_webhook_oldest_pending_age_seconds',
      help: 'Age of the oldest pending webhook delivery (0 when none)',
      registers: [registry],
      async collect() {
        const { oldest } = await queue();
        this.set(oldest === null ? 0 : Math.max(0, Date.now() / 1000 - oldest));
      },
    }),
    circuitsOpen: new Gauge({
      name: 'showwire_webhook_circuits_open',
      help: 'Webhook endpoints whose circuit breaker is open or half-open (attempts paused after failing in a row)',
      registers: [registry],
      collect() {
        this.set(openCircuits());
      },
    }),
    attemptSeconds: new Histogram({
      name: 'showwire_webhook_attempt_duration_seconds',
      help: 'Time from sending a webhook to reading its response excerpt',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
      registers: [registry],
    }),
  };
}

export type WebhookMetrics = ReturnType<typeof createWebhookMetrics>;
