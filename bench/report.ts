import type { RedisBench } from './redis.js';
import type { settings } from './settings.js';
import type { FanoutResult, IdleResult, IngestResult, ResumeResult } from '@showwire/stream-test/load';
import type { AgentClientResult } from './agent-client.js';
import type { StreamIngestResult } from './stream-ingest.js';
import type { WebhookResult } from './webhook-bench.js';

export const TARGETS = ['hub', 'nchan', 'centrifugo'] as const;
export type Name = (typeof TARGETS)[number];
type Each<T> = Record<Name, T>;

export interface BenchResult {
  machine: Record<string, string | number>;
  settings: typeof settings;
  /** (a0) with one subscriber: its CPU per delivery is the CPU per published event. */
  publishCost: Each<FanoutResult>;
  fanout: Each<FanoutResult>;
  fanoutHigh: Each<FanoutResult>;
  idle: Each<IdleResult>;
  ingest: Each<IngestResult>;
  /** Nchan has no batch publish. */
  batchIngest: Partial<Each<IngestResult>>;
  agentClient: AgentClientResult;
  streamIngest: StreamIngestResult;
  resume: Each<ResumeResult>;
  webhooks: WebhookResult;
  /** The hub on Redis at (a0) and (a) (bench/redis.ts). */
  redis?: RedisBench;
}

type Num = number | null | undefined;
const ratio = (a: Num, b: Num) => (a == null || b == null || b === 0 ? null : Math.round((a / b) * 100) / 100);
const show = (v: Num | string | boolean) => (v == null ? '—' : typeof v === 'boolean' ? (v ? 'yes' : 'NO') : String(v));
const verdict = (met: boolean | undefined) => (met === undefined ? '' : met ? 'met' : 'MISSED');

/** The fan-out's own cost: (a)'s CPU minus what its events cost to publish at all. */
const marginal = (x: FanoutResult, one: FanoutResult) =>
  x.serverCpuUsPerDelivery === null || one.serverCpuUsPerDelivery === null || x.delivered === 0
    ? null
    : Math.round(((x.serverCpuUsPerDelivery * x.delivered - one.serverCpuUsPerDelivery * x.published) / x.delivered) * 100) / 100;

/** Rows of the printed table: label, the three servers, both ratios, the target and whether it is met. */
function rows(r: BenchResult): string[][] {
  const row = (label: string, v: Partial<Each<Num>>, target = '', met?: boolean) => [
    label,
    show(v.hub),
    show(v.nchan),
    show(v.centrifugo),
    show(ratio(v.hub, v.nchan)),
    show(ratio(v.hub, v.centrifugo)),
    target,
    verdict(met),
  ];
  const pick = <T>(x: Partial<Each<T>>, f: (t: T) => Num): Partial<Each<Num>> => ({
    hub: x.hub && f(x.hub),
    nchan: x.nchan && f(x.nchan),
    centrifugo: x.centrifugo && f(x.centrifugo),
  });
  const heading = (label: string) => [label, '', '', '', '', '', '', ''];
  const s = r.settings;
  const fanoutRows = (label: string, f: Each<FanoutResult>, rate: number) => {
    const cpu = pick(f, (x) => x.serverCpuUsPerDelivery);
    const vsNchan = ratio(cpu.hub, cpu.nchan);
    const vsCf = ratio(cpu.hub, cpu.centrifugo);
    return [
      heading(`${label} ${s.subscribers} subscribers × ${rate} events/s × ${s.seconds} s`),
      row('  delivered/s', pick(f, (x) => x.deliveredPerSec)),
      row('  publish→deliver p50, ms', pick(f, (x) => x.p50Ms)),
      row('  publish→deliver p99, ms', pick(f, (x) => x.p99Ms), 'hub ≤ nchan', (f.hub.p99Ms ?? Infinity) <= (f.nchan.p99Ms ?? 0)),
      row('  publish→deliver max, ms', pick(f, (x) => x.maxMs)),
      row('  server CPU µs/delivery', cpu, '≤ 0.8× nchan, < centrifugo', vsNchan !== null && vsNchan <= 0.8 && vsCf !== null && vsCf < 1),
      row('  server CPU, % of a core', pick(f, (x) => x.serverCpuPercent)),
      row('  fan-out CPU µs/delivery (minus publish cost)', { hub: marginal(f.hub, r.publishCost.hub), nchan: marginal(f.nchan, r.publishCost.nchan), centrifugo: marginal(f.centrifugo, r.publishCost.centrifugo) }),
      row('  server RSS, MiB', pick(f, (x) => x.serverRssMiB)),
      ['  zero loss (all got all, in order)', show(f.hub.zeroLoss), show(f.nchan.zeroLoss), show(f.centrifugo.zeroLoss), '', '', 'yes', verdict(f.hub.zeroLoss)],
    ];
  };
  const single = pick(r.ingest, (x) => x.eventsPerSec);
  const batch = pick(r.batchIngest, (x) => x.eventsPerSec);
  const agentVsCf = ratio(r.agentClient.eventsPerSec, single.centrifugo);
  const w = r.webhooks;
  return [
    ['', 'hub', 'nchan', 'centrifugo', 'hub/nchan', 'hub/centrifugo', 'target', ''],
    row('(a0) server CPU µs per published event (1 subscriber)', pick(r.publishCost, (x) => x.serverCpuUsPerDelivery)),
    ...fanoutRows('(a)', r.fanout, s.rate),
    ...fanoutRows('(a2)', r.fanoutHigh, s.rateHigh),
    heading(`(b) ${s.idleSubscribers} idle subscribers`),
    row('  RSS per connection, KiB', pick(r.idle, (x) => x.rssPerConnectionKiB), 'hub ≤ 9', (r.idle.hub.rssPerConnectionKiB ?? Infinity) <= 9),
    heading(`(c) single-event POSTs, ${s.ingestConcurrency} concurrent, ${s.ingestSeconds} s (hub: durable; others: memory)`),
    row('  events/s', single, 'hub ≥ 0.5× nchan', (ratio(single.hub, single.nchan) ?? 0) >= 0.5),
    row('  POST p99, ms', pick(r.ingest, (x) => x.p99Ms)),
    row('  server CPU µs/event', pick(r.ingest, (x) => x.serverCpuUsPerEvent)),
    heading(`(c2) batches of ${s.batch}, ${s.ingestConcurrency} concurrent (nchan: no batch publish)`),
    row('  events/s', batch, 'hub ≥ 100000', (batch.hub ?? 0) >= 100_000),
    row('  server CPU µs/event', pick(r.batchIngest, (x) => x.serverCpuUsPerEvent)),
    heading(`(c3) the agent's hub client, ${s.agentEvents} events (centrifugo: its single publishes of (c))`),
    row('  events/s', { hub: r.agentClient.eventsPerSec, centrifugo: single.centrifugo }, '≥ 1.0× centrifugo', agentVsCf !== null && agentVsCf >= 1),
    row('  server CPU µs/event', { hub: r.agentClient.serverCpuUsPerEvent, centrifugo: r.ingest.centrifugo.serverCpuUsPerEvent }),
    heading(`(c4) one NDJSON publish stream, ${s.streamEvents} events, each acked once durable (centrifugo: its single publishes of (c))`),
    row('  events/s', { hub: r.streamIngest.eventsPerSec, centrifugo: single.centrifugo }, '≥ 1.0× centrifugo', (ratio(r.streamIngest.eventsPerSec, single.centrifugo) ?? 0) >= 1),
    row('  server CPU µs/event', { hub: r.streamIngest.serverCpuUsPerEvent, centrifugo: r.ingest.centrifugo.serverCpuUsPerEvent }),
    heading(`(e) resume of ${s.resumeEvents} missed events (one subscriber)`),
    row('  request → last event, ms', pick(r.resume, (x) => x.ms)),
    row('  server CPU, ms', pick(r.resume, (x) => x.serverCpuMs)),
    heading(`(f) webhooks: ${w.events} events to one local receiver (hub only)`),
    row('  deliveries/s', { hub: w.deliveriesPerSec }, '≥ 5000', w.deliveriesPerSec >= 5000),
    row('  hub CPU µs/delivery', { hub: w.hubCpuUsPerDelivery }, '≤ 200', (w.hubCpuUsPerDelivery ?? Infinity) <= 200),
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
  const fanouts: Array<[string, Each<FanoutResult>]> = [
    ['a0', r.publishCost],
    ['a', r.fanout],
    ['a2', r.fanoutHigh],
  ];
  for (const [label, each] of fanouts) {
    for (const [name, x] of Object.entries(each)) {
      if (x.connectFailures) out.push(`${name} (${label}): ${x.connectFailures} subscribers failed to connect: ${x.errors.join('; ')}`);
      if (x.publishFailures) out.push(`${name} (${label}): ${x.publishFailures} publishes failed`);
      if (x.lost) out.push(`${name} (${label}): ${x.lost} of ${x.expected} deliveries missing`);
      if (x.outOfSequence) out.push(`${name} (${label}): ${x.outOfSequence} deliveries out of sequence`);
      if (x.dropped) out.push(`${name} (${label}): ${x.dropped} subscribers were disconnected`);
    }
  }
  for (const [name, x] of Object.entries(r.idle)) {
    if (x.connectFailures) out.push(`${name} (b): ${x.connectFailures} idle subscribers failed to connect: ${x.errors.join('; ')}`);
  }
  for (const [label, each] of [['c', r.ingest], ['c2', r.batchIngest]] as const) {
    for (const [name, x] of Object.entries(each)) if (x?.failed) out.push(`${name} (${label}): ${x.failed} POSTs failed (${JSON.stringify(x.statuses)})`);
  }
  const a = r.agentClient;
  if (a.sent !== a.events || a.dropped) out.push(`hub (c3): the agent's client sent ${a.sent} of ${a.events}, dropped ${a.dropped} (${a.dropReports.join(', ')})`);
  const st = r.streamIngest;
  if (st.acked !== st.events) out.push(`hub (c4): ${st.acked} of ${st.events} stream lines acked (${st.errors.join('; ')})`);
  for (const [name, x] of Object.entries(r.resume)) {
    if (!x.complete) out.push(`${name} (e): resume got ${x.received} of ${x.expected}, ${x.outOfSequence} out of sequence ${x.errors.join('; ')}`);
  }
  if (r.webhooks.delivered < r.webhooks.events) out.push(`hub (f): ${r.webhooks.delivered} of ${r.webhooks.events} webhooks delivered`);
  return out;
}
