import { cpuUs, publishNdjson, type ServerPids } from '@showwire/stream-test/load';

/**
 * (c4) The hub's persistent publish connection: `count` events over one NDJSON request to
 * `/api/shows/:show/events/stream`, each acked once durable. Events/s from the first line to the last ack.
 */
export async function runStreamIngest(base: string, show: string, count: number, server: ServerPids) {
  const cpu0 = cpuUs(server()).total;
  const t0 = performance.now();
  const r = await publishNdjson({ name: 'hub', subUrl: '', pubUrl: '', streamUrl: `${base}/api/shows/${show}/events/stream` }, count);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuUs(server()).total - cpu0;
  return {
    events: count,
    acked: r.acked,
    errors: r.errors,
    eventsPerSec: Math.round(r.acked / seconds),
    serverCpuUsPerEvent: r.acked ? Math.round((cpu / r.acked) * 10) / 10 : null,
  };
}

export type StreamIngestResult = Awaited<ReturnType<typeof runStreamIngest>>;
