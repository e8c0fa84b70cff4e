import http from 'node:http';
import { eventBody, post } from './payload.js';

export interface PublishStats {
  sent: number;
  ok: number;
  failed: number;
  /** How far behind its schedule the publisher fell at worst, ms (the server answering slowly). */
  maxLagMs: number;
}

/**
 * Publishes `rate` events per second for `durationMs` over ONE keep-alive connection, so the
 * server's order is the `seq` order. Sends are scheduled on absolute times: a late answer
 * delays the next send, never the total count.
 */
export async function publishPaced(url: string, rate: number, durationMs: number, headers: Record<string, string> = {}): Promise<PublishStats> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const target = new URL(url);
  const total = Math.max(1, Math.round((rate * durationMs) / 1000));
  const interval = 1000 / rate;
  const stats: PublishStats = { sent: 0, ok: 0, failed: 0, maxLagMs: 0 };
  const start = performance.now();
  for (let seq = 1; seq <= total; seq++) {
    const due = start + (seq - 1) * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    stats.maxLagMs = Math.max(stats.maxLagMs, performance.now() - due);
    stats.sent++;
    const status = await post(agent, target, eventBody(seq), headers);
    if (status >= 200 && status < 300) stats.ok++;
    else stats.failed++;
  }
  agent.destroy();
  return stats;
}
