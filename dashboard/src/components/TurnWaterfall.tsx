import type { ShowState, TurnMetrics } from '@showwire/protocol';
import '../waterfall.css';
import { formatClock, formatMs } from '../lib/format.js';

/** The stages of a turn, in the order they happen after the host stops speaking. */
const STAGES: Array<{ field: keyof TurnMetrics; label: string; short: string }> = [
  { field: 'eouDelayMs', label: 'End of utterance', short: 'EOU' },
  { field: 'sttMs', label: 'Speech to text', short: 'STT' },
  { field: 'llmTtftMs', label: 'LLM first token', short: 'LLM' },
  { field: 'ttsTtfbMs', label: 'TTS first byte', short: 'TTS' },
];

type Turn = NonNullable<ShowState['turns']>[number];

/**
 * Each turn as a waterfall, newest first: the stages one after another on one time scale shared
 * by every turn shown, and end to end (the host's last word → the agent's first sound) as the
 * line the stages run up to. Widths are fractions of the panel, so nothing is cut off at any width.
 */
export function TurnWaterfall({ state: s }: { state: ShowState }) {
  const turns = [...(s.turns ?? [])].reverse().slice(0, 20);
  const total = (t: Turn) => STAGES.reduce((sum, st) => sum + ((t[st.field] as number | undefined) ?? 0), 0);
  const scale = Math.max(1, ...turns.map((t) => Math.max(total(t), t.e2eMs ?? 0)));
  return (
    <section className="panel turns" aria-labelledby="turns-h" data-testid="turn-waterfall">
      <div className="panel-head">
        <h2 id="turns-h">Turn latency</h2>
        <span className="muted small">{s.latency?.e2eMs ? `p50 ${formatMs(s.latency.e2eMs.p50)} · p95 ${formatMs(s.latency.e2eMs.p95)}` : 'no turns yet'}</span>
      </div>
      {turns.length > 0 && (
        <>
          <ul className="waterfall-legend small muted" aria-hidden="true">
            {STAGES.map((st) => (
              <li key={st.field}>
                <span className={`swatch stage-${st.short.toLowerCase()}`} /> {st.label}
              </li>
            ))}
            <li>
              <span className="swatch swatch-e2e" /> End to end
            </li>
          </ul>
          <ol className="waterfall">
            {turns.map((t) => (
              <TurnRow key={t.id} turn={t} scale={scale} />
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

function TurnRow({ turn: t, scale }: { turn: Turn; scale: number }) {
  // Each stage's bar starts where the ones before it ended.
  const starts = STAGES.map((_, i) => STAGES.slice(0, i).reduce((sum, st) => sum + ((t[st.field] as number | undefined) ?? 0), 0));
  const pct = (v: number) => `${((v / scale) * 100).toFixed(2)}%`;
  return (
    <li className="turn" data-turn={t.id}>
      <div className="turn-head small">
        <time className="muted">{formatClock(t.timestamp)}</time>
        <span className="turn-e2e">
          end to end{' '}
          <strong data-field="e2eMs">{formatMs(t.e2eMs)}</strong>
        </span>
      </div>
      <div className="turn-track" role="img" aria-label={STAGES.map((st) => `${st.label} ${formatMs(t[st.field] as number | undefined)}`).join(', ') + `, end to end ${formatMs(t.e2eMs)}`}>
        {STAGES.map((st, i) => {
          const v = t[st.field] as number | undefined;
          return v === undefined ? null : <span key={st.field} className={`stage stage-${st.short.toLowerCase()}`} style={{ left: pct(starts[i]!), width: pct(v) }} />;
        })}
        {t.e2eMs !== undefined && <span className="e2e-mark" style={{ left: `min(${pct(t.e2eMs)}, calc(100% - 2px))` }} />}
      </div>
      <dl className="turn-figures small">
        {STAGES.map((st) => (
          <div key={st.field}>
            <dt>{st.short}</dt>
            <dd data-field={st.field}>{formatMs(t[st.field] as number | undefined)}</dd>
          </div>
        ))}
      </dl>
    </li>
  );
}
