import { memo } from 'react';
import { AgentChip } from '../AgentChip.js';
import { LatencyBadge } from '../Latency.js';
import { Thumb } from '../Thumb.js';
import { formatCount, formatDuration } from '../../lib/format.js';
import { Link, showPath } from '../../lib/router.js';
import { liveAlertMessage, ruleLabel, staleSince, type WallCard } from '../../lib/trouble.js';

/**
 * Memoized on the card (one object per show state, see trouble.ts) and the whole second: with 100
 * shows streaming, a frame re-renders only the cards whose show changed.
 */
export const ShowCard = memo(function ShowCard({ card, now }: { card: WallCard; now: number }) {
  const { state: s, alerts } = card;
  const title = s.title || s.show;
  const line = s.transcript.at(-1);
  const duration = s.startedAt !== undefined ? (s.endedAt ?? now) - s.startedAt : undefined;
  const worst = alerts[0]?.severity;
  return (
    <Link
      href={showPath(s.show)}
      className={`card${worst ? ` card-trouble card-${worst}` : ''}${s.status === 'ended' ? ' card-ended' : ''}`}
      data-show={s.show}
      data-trouble={alerts.map((a) => a.rule).join(' ')}
      aria-label={`${title} (${s.show}): ${s.status}${alerts.length ? `, ${alerts.map((a) => ruleLabel(a.rule)).join(', ')}` : ''}`}
    >
      <div className="card-media">
        <Thumb url={s.thumbnailUrl} title={title} />
        <div className="card-badges">
          {s.status === 'live' && <span className="badge badge-live">LIVE</span>}
          {s.status === 'ended' && <span className="badge badge-ended">ENDED</span>}
          {duration !== undefined && <span className="badge badge-dark">{formatDuration(duration)}</span>}
        </div>
      </div>
      <div className="card-body">
        <h2 className="card-title">{title}</h2>
        <code className="card-id" data-show-id>
          {s.show}
        </code>
        <div className="card-stats">
          <span data-viewers={s.viewers}>
            <strong>{formatCount(s.viewers)}</strong> {s.viewers === 1 ? 'viewer' : 'viewers'}
          </span>
          <span data-products={s.productOrder.length}>
            <strong>{s.productOrder.length}</strong> {s.productOrder.length === 1 ? 'product' : 'products'}
          </span>
          <AgentChip state={s} staleSince={staleSince(card)} />
          <LatencyBadge state={s} />
        </div>
        <p className="card-line" data-last-line>
          {line ? (
            <>
              <span className={`speaker speaker-${line.role}`}>{line.role === 'agent' ? 'Agent' : line.participant || 'Host'}</span>{' '}
              <span className={line.final ? '' : 'interim'}>{line.text}</span>
            </>
          ) : (
            <span className="muted">No transcript yet</span>
          )}
        </p>
        {alerts.length > 0 && (
          <ul className="flags" aria-label="Open alerts">
            {alerts.map((a) => (
              <li key={a.alertId} className={`flag flag-${a.severity}`} data-rule={a.rule}>
                {ruleLabel(a.rule)}: {liveAlertMessage(a, now)}
                {a.acknowledged ? ` (ack: ${a.acknowledged.by})` : ''}
              </li>
            ))}
          </ul>
        )}
      </div>
    </Link>
  );
});

