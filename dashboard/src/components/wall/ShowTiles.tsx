import { memo } from 'react';
import { formatAge, formatClock, formatCount, formatMs } from '../../lib/format.js';
import { Link, showPath } from '../../lib/router.js';
import { agentNow, ruleLabel, staleSince, type WallCard } from '../../lib/trouble.js';

/**
 * The densest wall: a small tile per show, about a hundred on a 1440 × 900 screen. A tile says
 * only what triage needs (the worst alert, the agent, viewers, p95, how old the last event is);
 * the show page has the rest.
 */
export function ShowTiles({ cards, now, selected, label }: { cards: WallCard[]; now: number; selected: number; label: string }) {
  return (
    <ul className="tiles" aria-label={label}>
      {cards.map((card, i) => (
        <li key={card.state.show}>
          <ShowTile card={card} now={Math.floor(now)} selected={i === selected} />
        </li>
      ))}
    </ul>
  );
}

const ShowTile = memo(function ShowTile({ card, now, selected }: { card: WallCard; now: number; selected: boolean }) {
  const { state: s, alerts } = card;
  const worst = alerts[0];
  const stale = staleSince(card);
  const p95 = s.latency?.e2eMs?.p95;
  const agent = s.status === 'ended' ? 'ended' : s.agentClosed ? 'left' : agentNow(s) === 'unknown' ? 'no agent' : agentNow(s);
  return (
    <Link
      href={showPath(s.show)}
      className={`tile${worst ? ` tile-${worst.severity}` : ''}${s.status === 'ended' ? ' tile-ended' : ''}`}
      data-wall-item
      data-show={s.show}
      aria-selected={selected}
      data-trouble={alerts.map((a) => a.rule).join(' ')}
      title={`${s.title || s.show} (${s.show})`}
    >
      <span className="tile-title">
        <span className={`dot dot-${worst?.severity ?? (s.status === 'live' ? 'ok' : 'off')}`} aria-hidden="true" /> {s.title || s.show}
      </span>
      <span className={`tile-line${stale !== undefined ? ' stale' : ''}`}>
        {stale !== undefined ? (
          // A tile has no room for the whole phrase: "?" stands for the unknown state, the words are in the label.
          <span data-agent-state="stale" aria-label={`agent state unknown since ${formatClock(stale)}`} title={`Agent state unknown since ${formatClock(stale)}`}>
            ? since {formatClock(stale)}
          </span>
        ) : (
          <>
            <span data-agent-state={agent}>{agent}</span> · <span data-viewers={s.viewers}>{formatCount(s.viewers)}</span> <ViewersIcon />
          </>
        )}
      </span>
      <span className="tile-line">
        {worst ? <span className={`flag-text flag-${worst.severity}`}>{ruleLabel(worst.rule)}</span> : <span className="muted">
            {p95 !== undefined && `p95 ${formatMs(p95)} · `}
            {s.lastActivity === undefined ? '—' : `${formatAge(now - s.lastActivity)} ago`}
          </span>}
      </span>
    </Link>
  );
});

/** "viewers", drawn: a tile has no room for the word, and no emoji font is needed. */
const ViewersIcon = () => (
  <svg className="icon" viewBox="0 0 16 16" width="11" height="11" role="img" aria-label="viewers">
    <path fill="currentColor" d="M8 3C4.4 3 1.6 5.4.5 8c1.1 2.6 3.9 5 7.5 5s6.4-2.4 7.5-5C14.4 5.4 11.6 3 8 3Zm0 8.2A3.2 3.2 0 1 1 8 4.8a3.2 3.2 0 0 1 0 6.4Zm0-1.7a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3Z" />
  </svg>
);
