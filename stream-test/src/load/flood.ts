import http from 'node:http';
import { newHistogram, record, type Histogram } from './histogram.js';
import { batchBody, nowUs, post, publishHeaders, singleBody, type Target } from './payload.js';

export interface FloodStats {
  /** Requests answered 2xx. */
  ok: number;
  failed: number;
  /** Events in the requests answered 2xx (`ok` × the batch size). */
  events: number;
  /** Statuses other than 2xx, with how often each came (-1: a 2xx whose body held an error). */
  statuses: Record<string, number>;
  /** POST round trips, µs. */
  latency: Histogram;
}

/**
 * POSTs from `concurrency` keep-alive connections, each sending its next request as soon as the
 * previous one is answered, for `durationMs`: one event per request, or `batch` events per request
 * to the target's batch endpoint.
 */
export async function flood(target: Target, concurrency: number, durationMs: number, batch = 1): Promise<FloodStats> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(batch > 1 ? target.batch!.url : target.pubUrl);
  const headers = publishHeaders(target);
  const stats: FloodStats = { ok: 0, failed: 0, events: 0, statuses: {}, latency: newHistogram() };
  const end = Date.now() + durationMs;
  let seq = 0;
  const lane = async () => {
    while (Date.now() < end) {
      const started = nowUs();
      const body = batch > 1 ? batchBody(target, seq + 1, batch) : singleBody(target, seq + 1);
      seq += batch;
      const status = await post(agent, url, body, headers);
      if (status >= 200 && status < 300) {
        stats.ok++;
        stats.events += batch;
        record(stats.latency, nowUs() - started);
      } else {
        stats.failed++;
        stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
        // A refusing server must not turn the loop into a busy spin.
        if (status === 0) await new Promise((r) => setTimeout(r, 10));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  agent.destroy();
  return stats;
}
