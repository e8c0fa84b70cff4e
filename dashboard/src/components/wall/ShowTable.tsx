import { memo } from 'react';
import { AgentChip } from '../AgentChip.js';
import { formatAge, formatCount, formatMs } from '../../lib/format.js';
import { Link, showPath } from '../../lib/router.js';
import { ruleLabel, staleSince, type SortKey, type WallCard, type WallSort } from '../../lib/trouble.js';

const COLUMNS: Array<{ key: SortKey; label: string; className?: string }> = [
  { key: 'title', label: 'Show' },
  { key: 'status', label: 'Status' },
  { key: 'alerts', label: 'Alerts' },
  { key: 'agent', label: 'Agent', className: 'col-agent' },
  { key: 'viewers', label: 'Viewers', className: 'num' },
  { key: 'p95', label: 'p95', className: 'num' },
  { key: 'age', label: 'Last event', className: 'num' },
];

/**
 * The wall as a table: one row per show, a header per column that sorts by it (again: the other
 * way). Each cell has a fixed place, so a show with no latency yet leaves its cell empty instead of
 * shifting the row.
 */
export function ShowTable({ cards, now, sort, onSort, selected, label }: { cards: WallCard[]; now: number; sort: WallSort; onSort: (s: WallSort) => void; selected: number; label: string }) {
  return (
    <table className="show-list" role="grid" aria-label={label}>
      <thead>
        <tr>
          {COLUMNS.map((c) => (
            <th key={c.key} scope="col" className={c.className} aria-sort={sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : undefined}>
              <button type="button" className="sort" data-sort={c.key} onClick={() => onSort({ key: c.key, desc: sort.key === c.key ? !sort.desc : c.key !== 'title' })}>
                {c.label}
                <span aria-hidden="true">{sort.key === c.key ? (sort.desc ? ' ▾' : ' ▴') : ''}</span>
              </button>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {cards.map((card, i) => (
          <ShowRow key={card.state.show} card={card} now={Math.floor(now)} selected={i === selected} />
        ))}
      </tbody>
    </table>
  );
}

/** Memoized on the card, the whole second and the selection: an event re-renders its show's row only. */
const ShowRow = memo(function ShowRow({ card, now, selected }: { card: WallCard; now: number; selected: boolean }) {
  const { state: s, alerts } = card;
  const p95 = s.latency?.e2eMs?.p95;
  return (
    <tr data-wall-item data-show={s.show} aria-selected={selected} data-trouble={alerts.map((a) => a.rule).join(' ')}>
      <td className="col-show">
        <Link href={showPath(s.show)} className="row-title">
          {s.title || s.show}
        </Link>
        <code className="row-id">{s.show}</code>
      </td>
      <td>
        <span className={`dot dot-${s.status === 'live' ? 'ok' : 'off'}`} aria-hidden="true" /> {s.status}
      </td>
      <td className="row-flags">
        {alerts.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <span className={`flag-text flag-${alerts[0]!.severity}`}>{alerts.map((a) => ruleLabel(a.rule)).join(', ')}</span>
        )}
      </td>
      <td className="col-agent">
        <AgentChip state={s} staleSince={staleSince(card)} />
      </td>
      <td className="num" data-viewers={s.viewers}>
        {formatCount(s.viewers)}
      </td>
      <td className="num" data-p95={p95 === undefined ? '' : Math.round(p95)}>
        {p95 === undefined ? <span className="muted">—</span> : formatMs(p95)}
      </td>
      <td className="num" data-age>
        {s.lastActivity === undefined ? '—' : formatAge(now - s.lastActivity)}
      </td>
    </tr>
  );
});
