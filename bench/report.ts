import type { FanoutResult, IdleResult, IngestResult } from '@showwire/stream-test/load';

export interface BenchResult {
  machine: Record<string, string | number>;
  settings: Record<string, number>;
  /** (a) with one subscriber: its CPU per delivery is the CPU per published event. */
  publishCost: { hub: FanoutResult; nchan: FanoutResult };
  fanout: { hub: FanoutResult; nchan: FanoutResult };
  idle: { hub: IdleResult; nchan: IdleResult };
  ingest: { hub: IngestResult; nchan: IngestResult };
}

type Num = number | null;
const ratio = (a: Num, b: Num) => (a === null || b === null || b === 0 ? null : Math.round((a / b) * 100) / 100);
const show = (v: Num | string | boolean) => (v === null ? '—' : typeof v === 'boolean' ? (v ? 'yes' : 'NO') : String(v));

/** Rows of the printed table: label, hub, Nchan, hub/Nchan, the target and whether it is met. */
function rows(r: BenchResult): string[][] {
  const { fanout: f, idle: i, ingest: g, publishCost: p } = r;
  // The fan-out's own cost: (a)'s CPU minus what its events cost to publish at all.
  const marginal = (x: FanoutResult, one: FanoutResult) =>
    x.serverCpuUsPerDelivery === null || one.serverCpuUsPerDelivery === null || x.delivered === 0
      ? null
      : Math.round(((x.serverCpuUsPerDelivery * x.delivered - one.serverCpuUsPerDelivery * x.published) / x.delivered) * 100) / 100;
  const row = (label: string, hub: Num, nchan: Num, target = '', met?: boolean) => [
    label,
    show(hub),
    show(nchan),
    show(ratio(hub, nchan)),
    target,
    met === undefined ? '' : met ? 'met' : 'MISSED',
  ];
  const cpuRatio = ratio(f.hub.serverCpuUsPerDelivery, f.nchan.serverCpuUsPerDelivery);
  const s = r.settings;
  return [
    ['', 'hub', 'nchan', 'hub/nchan', 'target', ''],
    [`(a) ${s.subscribers} subscribers × ${s.rate} events/s × ${s.seconds} s`, '', '', '', '', ''],
    row('  delivered/s', f.hub.deliveredPerSec, f.nchan.deliveredPerSec),
    row('  publish→deliver p50, ms', f.hub.p50Ms, f.nchan.p50Ms),
    row('  publish→deliver p99, ms', f.hub.p99Ms, f.nchan.p99Ms, 'hub ≤ nchan', (f.hub.p99Ms ?? Infinity) <= (f.nchan.p99Ms ?? 0)),
    row('  publish→deliver max, ms', f.hub.maxMs, f.nchan.maxMs),
    row('  server CPU µs/delivery', f.hub.serverCpuUsPerDelivery, f.nchan.serverCpuUsPerDelivery, 'ratio ≤ 1.0', cpuRatio !== null && cpuRatio <= 1),
    row('  server CPU, % of a core', f.hub.serverCpuPercent, f.nchan.serverCpuPercent),
    row('  server CPU µs per published event (1 subscriber)', p.hub.serverCpuUsPerDelivery, p.nchan.serverCpuUsPerDelivery),
    row('  fan-out CPU µs/delivery (minus publish cost)', marginal(f.hub, p.hub), marginal(f.nchan, p.nchan)),
    row('  server RSS, MiB', f.hub.serverRssMiB, f.nchan.serverRssMiB),
    ['  zero loss (all got all, in order)', show(f.hub.zeroLoss), show(f.nchan.zeroLoss), '', 'yes', f.hub.zeroLoss ? 'met' : 'MISSED'],
    [`(b) ${s.idleSubscribers} idle subscribers`, '', '', '', '', ''],
    row('  RSS per connection, KiB', i.hub.rssPerConnectionKiB, i.nchan.rssPerConnectionKiB, 'hub ≤ 12', (i.hub.rssPerConnectionKiB ?? Infinity) <= 12),
    [`(c) single-event POSTs, ${s.ingestConcurrency} concurrent, ${s.ingestSeconds} s`, '', '', '', '', ''],
    row('  events/s (hub: durable; nchan: memory)', g.hub.eventsPerSec, g.nchan.eventsPerSec),
    row('  POST p99, ms', g.hub.p99Ms, g.nchan.p99Ms),
    row('  server CPU µs/event', g.hub.serverCpuUsPerEvent, g.nchan.serverCpuUsPerEvent),
  ];
}

export function formatTable(r: BenchResult): string {
  const t = rows(r);
  const widths = t[0]!.map((_, c) => Math.max(...t.map((row) => row[c]!.length)));
  const line = (row: string[]) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  return t.map(line).join('\n');
}

/** Everything that went wrong that the table's numbers would hide. */
export function problems(r: BenchResult): string[] {
  const out: string[] = [];
  for (const [name, x] of [...Object.entries(r.publishCost), ...Object.entries(r.fanout)]) {
    if (x.connectFailures) out.push(`${name} (a): ${x.connectFailures} subscribers failed to connect: ${x.errors.join('; ')}`);
    if (x.publishFailures) out.push(`${name} (a): ${x.publishFailures} publishes failed`);
    if (x.lost) out.push(`${name} (a): ${x.lost} of ${x.expected} deliveries missing`);
    if (x.outOfSequence) out.push(`${name} (a): ${x.outOfSequence} deliveries out of sequence`);
    if (x.dropped) out.push(`${name} (a): ${x.dropped} subscribers were disconnected`);
  }
  for (const [name, x] of Object.entries(r.idle)) {
    if (x.connectFailures) out.push(`${name} (b): ${x.connectFailures} idle subscribers failed to connect: ${x.errors.join('; ')}`);
  }
  for (const [name, x] of Object.entries(r.ingest)) {
    if (x.failed) out.push(`${name} (c): ${x.failed} POSTs failed (${JSON.stringify(x.statuses)})`);
  }
  return out;
}
