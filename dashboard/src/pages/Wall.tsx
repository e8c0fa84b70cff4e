import { memo, useEffect, useMemo, useState } from 'react';
import { AgentChip } from '../components/AgentChip.js';
import { AlertList, type ListedAlert } from '../components/AlertList.js';
import { Header, Notice } from '../components/Header.js';
import { LatencyBadge } from '../components/Latency.js';
import { Thumb } from '../components/Thumb.js';
import type { PageProps } from '../lib/auth.js';
import { formatCount, formatDuration } from '../lib/format.js';
import { Link, navigate, showPath } from '../lib/router.js';
import { filterCards, ruleLabel, sortedCards, type WallCard, type WallFilter } from '../lib/trouble.js';
import { useHubNow } from '../live/use-now.js';
import { useCriticalNotifier } from '../live/use-critical-notifier.js';
import { useLiveShows } from '../live/use-live-shows.js';

/** The wall keeps only what a card shows: the last line, no action log, a short viewer history. */
const WALL_REDUCE = { transcriptLimit: 1, actionLimit: 0, viewerHistoryLimit: 60, turnLimit: 30 };

const FILTERS: Array<{ id: WallFilter; label: string }> = [
  { id: 'all', label: 'All' },
  { id: 'live', label: 'Live' },
  { id: 'trouble', label: 'Trouble' },
  { id: 'ended', label: 'Ended' },
];

type View = 'cards' | 'list';

export function Wall({ token, claims, onSignOut, onUnauthorized }: PageProps) {
  const live = useLiveShows(token, undefined, WALL_REDUCE, onUnauthorized);
  const now = useHubNow(live.clockOffset);
  const [filter, setFilter] = useState<WallFilter>('all');
  const [search, setSearch] = useState('');
  const [view, setView] = useState<View>(() => (sessionStorage.getItem('showwire.view') === 'list' ? 'list' : 'cards'));
  // Order once per change of the shows (alerts, latency); the filter, search and counts only pick from that.
  const all = useMemo(() => sortedCards(live.states.values()), [live.states]);
  const cards = useMemo(() => filterCards(all, filter, search), [all, filter, search]);
  const count = (f: WallFilter) => (f === 'all' ? all.length : filterCards(all, f, '').length);
  const alerts = useMemo(
    () => all.flatMap(({ state, alerts: a }) => a.map((x): ListedAlert => ({ ...x, show: state.show, ...(state.title && { title: state.title }) }))),
    [all],
  );
  const notifier = useCriticalNotifier(alerts);
  const chooseView = (v: View) => {
    sessionStorage.setItem('showwire.view', v);
    setView(v);
  };

  return (
    <>
      <Header claims={claims} connection={live.connection} onSignOut={onSignOut}>
        <h1 className="sr-only">Live wall</h1>
      </Header>
      <main className="wall" data-testid="wall">
        <div className="toolbar">
          <div className="segmented" role="group" aria-label="Filter shows">
            {FILTERS.map((f) => (
              <button key={f.id} type="button" aria-pressed={filter === f.id} onClick={() => setFilter(f.id)} data-filter={f.id}>
                {f.label} <span className="count">{count(f.id)}</span>
              </button>
            ))}
          </div>
          <label className="search">
            <span className="sr-only">Search shows by title</span>
            <input type="search" placeholder="Search by title…" value={search} onChange={(e) => setSearch(e.target.value)} />
          </label>
          <label className="small notify" data-notify={notifier.on ? 'on' : 'off'} data-announced={notifier.announced}>
            <input type="checkbox" checked={notifier.on} onChange={notifier.toggle} /> Sound and notify on critical alerts
          </label>
          <div className="segmented" role="group" aria-label="Layout">
            <button type="button" aria-pressed={view === 'cards'} onClick={() => chooseView('cards')} data-view="cards">
              Cards
            </button>
            <button type="button" aria-pressed={view === 'list'} onClick={() => chooseView('list')} data-view="list">
              List
            </button>
          </div>
        </div>
        {live.error && <Notice kind="error">Could not load the shows: {live.error.message}</Notice>}
        {live.truncated && <Notice kind="warn">The hub pruned some history before this page could read it; counts may be incomplete.</Notice>}
        {alerts.length > 0 && <AlertList alerts={alerts} token={token} now={now} />}
        {!live.loading && !live.error && cards.length === 0 && (
          <p className="empty">{all.length === 0 ? 'No shows yet. They appear here as soon as their first event reaches the hub.' : 'No show matches this filter.'}</p>
        )}
        {view === 'list' ? (
          <ShowList cards={cards} now={now} />
        ) : (
          <ul className="cards" aria-label="Shows">
            {cards.map((card) => (
              <li key={card.state.show}>
                <ShowCard card={card} now={Math.floor(now)} />
              </li>
            ))}
          </ul>
        )}
      </main>
    </>
  );
}

/** One line per show, for 100 of them: j/k (or arrows) move, Enter opens, l opens and listens in. */
function ShowList({ cards, now }: { cards: WallCard[]; now: number }) {
  const [selected, setSelected] = useState(0);
  const at = Math.min(selected, Math.max(0, cards.length - 1));
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (e.metaKey || e.ctrlKey || e.altKey || target?.closest('input, textarea, select')) return;
      const show = cards[at]?.state.show;
      if (e.key === 'j' || e.key === 'ArrowDown') setSelected(Math.min(cards.length - 1, at + 1));
      else if (e.key === 'k' || e.key === 'ArrowUp') setSelected(Math.max(0, at - 1));
      else if (e.key === 'Enter' && show) navigate(showPath(show));
      else if (e.key === 'l' && show) navigate(`${showPath(show)}?listen=1`);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [cards, at]);
  useEffect(() => {
    document.querySelector('.show-list [aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [at]);
  return (
    <div className="show-list-wrap">
      <p className="small muted">Keys: j/k move · Enter opens · l listens in</p>
      <ol className="show-list" role="listbox" aria-label="Shows">
        {cards.map(({ state: s, alerts }, i) => (
          <li key={s.show} role="option" aria-selected={i === at} data-show={s.show} data-trouble={alerts.map((a) => a.rule).join(' ')} onClick={() => setSelected(i)}>
            <span className={`dot dot-${alerts[0]?.severity ?? (s.status === 'live' ? 'ok' : 'off')}`} aria-hidden="true" />
            <Link href={showPath(s.show)} className="row-title">
              {s.title || s.show}
            </Link>
            <code className="row-id">{s.show}</code>
            <span className="row-flags">{alerts.map((a) => ruleLabel(a.rule)).join(', ')}</span>
            <LatencyBadge state={s} />
            <span className="row-status small muted">
              {s.status === 'live' && s.startedAt !== undefined ? formatDuration(now - s.startedAt) : s.status}
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}

/**
 * Memoized on the card (one object per show state, see trouble.ts) and the whole second: with 100
 * shows streaming, a frame re-renders only the cards whose show changed.
 */
const ShowCard = memo(function ShowCard({ card, now }: { card: WallCard; now: number }) {
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
          <AgentChip state={s} />
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
                {ruleLabel(a.rule)}: {a.message}
                {a.acknowledged ? ` (ack: ${a.acknowledged.by})` : ''}
              </li>
            ))}
          </ul>
        )}
      </div>
    </Link>
  );
});
