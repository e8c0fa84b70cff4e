import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The hub's own metrics (webhooks and the room relay add theirs to the same registry). */
export interface Metrics {
  readonly registry: Registry;
  readonly connections: Gauge;
  readonly eventsIn: Counter;
  readonly duplicates: Counter;
  readonly eventsOut: Counter;
  readonly replayed: Counter;
  readonly closes: Counter<'reason'>;
  readonly rejected: Counter<'status'>;
  readonly ingestSeconds: Histogram;
}

/** The hub's Prometheus metrics, on a registry of its own so several hubs can live in one test process. */
export function createMetrics(connections: () => number): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'showwire_' });
  return {
    registry,
    connections: new Gauge({
      name: 'showwire_sse_connections',
      help: 'Open SSE connections',
      registers: [registry],
      collect() {
        this.set(connections());
      },
    }),
    eventsIn: new Counter({ name: 'showwire_events_in_total', help: 'Events stored (idempotent retries not counted)', registers: [registry] }),
    duplicates: new Counter({ name: 'showwire_events_duplicate_total', help: 'Posted events answered from an earlier copy (same eventId)', registers: [registry] }),
    eventsOut: new Counter({ name: 'showwire_events_out_total', help: 'Event frames queued to SSE connections (live, not replay)', registers: [registry] }),
    replayed: new Counter({ name: 'showwire_events_replayed_total', help: 'Event frames sent to SSE connections from the log (resume)', registers: [registry] }),
    closes: new Counter({ name: 'showwire_sse_closes_total', help: 'SSE connections closed, by reason', labelNames: ['reason'] as const, registers: [registry] }),
    rejected: new Counter({ name: 'showwire_ingest_rejected_total', help: 'Ingest requests refused, by status code', labelNames: ['status'] as const, registers: [registry] }),
    ingestSeconds: new Histogram({
      name: 'showwire_ingest_duration_seconds',
      help: 'Time from an ingest request being parsed to its events being durable and fanned out',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}
