import type { ShowState, TurnMetrics } from '@showwire/protocol';
import { formatClock } from '../lib/format.js';
import { Sparkline } from './Sparkline.js';

const ms = (v: number | undefined) => (v === undefined ? '—' : v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

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

const COLUMNS: Array<[keyof TurnMetrics, string]> = [
  ['eouDelayMs', 'End of utterance'],
  ['sttMs', 'STT'],
  ['llmTtftMs', 'LLM first token'],
  ['ttsTtfbMs', 'TTS first byte'],
  ['e2eMs', 'End to end'],
];

/** Per-turn breakdown, newest first (the show view). */
export function TurnBreakdown({ state: s }: { state: ShowState }) {
  const turns = [...(s.turns ?? [])].reverse().slice(0, 20);
  return (
    <section className="panel turns" aria-labelledby="turns-h">
      <div className="panel-head">
        <h2 id="turns-h">Turn latency</h2>
        <span className="muted small">
          {s.latency?.e2eMs ? `p50 ${ms(s.latency.e2eMs.p50)} · p95 ${ms(s.latency.e2eMs.p95)}` : 'no turns yet'}
        </span>
      </div>
      {turns.length > 0 && (
        <div className="table-scroll">
          <table className="turn-table">
            <thead>
              <tr>
                <th scope="col">Turn</th>
                {COLUMNS.map(([, label]) => (
                  <th key={label} scope="col">
                    {label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {turns.map((t) => (
                <tr key={t.id} data-turn={t.id}>
                  <td>{formatClock(t.timestamp)}</td>
                  {COLUMNS.map(([f]) => (
                    <td key={f} data-field={f}>
                      {ms(t[f] as number | undefined)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
