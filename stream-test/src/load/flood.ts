import http from 'node:http';
import { newHistogram, record, type Histogram } from './histogram.js';
import { eventBody, nowUs, post } from './payload.js';

export interface FloodStats {
  ok: number;
  failed: number;
  /** Statuses other than 2xx, with how often each came. */
  statuses: Record<string, number>;
  /** POST round trips, µs. */
  latency: Histogram;
}

/**
 * Single-event POSTs from `concurrency` keep-alive connections, each sending its next request
 * as soon as the previous one is answered, for `durationMs`.
 */
export async function flood(url: string, concurrency: number, durationMs: number, headers: Record<string, string> = {}): Promise<FloodStats> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const stats: FloodStats = { ok: 0, failed: 0, statuses: {}, latency: newHistogram() };
  const end = Date.now() + durationMs;
  let seq = 0;
  const lane = async () => {
    while (Date.now() < end) {
      const started = nowUs();
      const status = await post(agent, target, eventBody(++seq), headers);
      if (status >= 200 && status < 300) {
        stats.ok++;
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
