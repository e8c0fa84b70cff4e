import { cpuUs, type ServerPids } from '@showwire/stream-test/load';
import { createHubClient } from '../agent/src/hub-client.js';

/**
 * (c3) The agent's way of publishing: its hub client (agent/src/hub-client.ts, as the agent
 * configures it) fed `count` events as fast as it takes them, its queue kept topped up below its
 * bound so nothing is dropped. Every event is durable in the hub when the client is idle again.
 */
export async function runAgentClient(base: string, show: string, count: number, server: ServerPids) {
  const drops: string[] = [];
  const client = createHubClient({ url: base, show, onDrop: (d) => drops.push(`${d.reason} ×${d.count}`) });
  const cpu0 = cpuUs(server()).total;
  const t0 = performance.now();
  for (let seq = 1; seq <= count; ) {
    while (client.stats().queued < 5_000 && seq <= count) client.publish({ type: 'bench.tick', seq: seq++, text: 'Welcome back to the show!' });
    await new Promise((r) => setTimeout(r, 1));
  }
  const stats = await client.close(60_000);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuUs(server()).total - cpu0;
  return {
    events: count,
    sent: stats.sent,
    dropped: stats.dropped,
    dropReports: drops,
    failedAttempts: stats.failedAttempts,
    eventsPerSec: Math.round(stats.sent / seconds),
    serverCpuUsPerEvent: stats.sent ? Math.round((cpu / stats.sent) * 10) / 10 : null,
  };
}

export type AgentClientResult = Awaited<ReturnType<typeof runAgentClient>>;
