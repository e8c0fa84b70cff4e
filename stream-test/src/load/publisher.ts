import http from 'node:http';
import { batchBody, post, publishHeaders, singleBody, type Target } from './payload.js';

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
 * delays the next send, never the total count. `ch` marks the events of one of many channels.
 */
export async function publishPaced(target: Target, rate: number, durationMs: number, ch?: number): Promise<PublishStats> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(target.pubUrl);
  const headers = publishHeaders(target);
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
    const status = await post(agent, url, singleBody(target, seq, ch), headers);
    if (status >= 200 && status < 300) stats.ok++;
    else stats.failed++;
  }
  agent.destroy();
  return stats;
}

/**
 * Publishes events 1 … `count` in order over one connection as fast as the server takes them,
 * in batches of `batch` where the target takes batches; throws at the first failure (this is set-up,
 * not measurement).
 */
export async function publishBacklog(target: Target, count: number, batch = 1000): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const headers = publishHeaders(target);
  try {
    for (let seq = 1; seq <= count; ) {
      const n = target.batch ? Math.min(batch, count - seq + 1) : 1;
      const url = new URL(target.batch ? target.batch.url : target.pubUrl);
      const status = await post(agent, url, target.batch ? batchBody(target, seq, n) : singleBody(target, seq), headers);
      if (status < 200 || status >= 300) throw new Error(`${target.name}: publishing event ${seq} of the backlog answered ${status}`);
      seq += n;
    }
  } finally {
    agent.destroy();
  }
}
