import type { ShowState } from '@showwire/protocol';
import { formatMs as ms } from '../lib/format.js';
import { Sparkline } from './Sparkline.js';

/** Rolling p95 end-to-end latency with a small trend of the last turns (the wall's cards). */
export function LatencyBadge({ state: s }: { state: ShowState }) {
  const e2e = s.latency?.e2eMs;
  if (!e2e) return <span className="latency muted small">no turns yet</span>;
  const samples = (s.turns ?? []).filter((t) => t.e2eMs !== undefined).map((t) => [t.timestamp, t.e2eMs!] as const);
  return (
    <span className="latency" data-p95={Math.round(e2e.p95)} title={`p50 ${ms(e2e.p50)} over ${e2e.count} turns`}>
      <span className="small">p95</span> <strong>{ms(e2e.p95)}</strong>
      <span className="latency-trend">
        <Sparkline samples={samples} width={60} height={16} label={`End-to-end latency of the last ${samples.length} turns`} />
      </span>
    </span>
  );
}
