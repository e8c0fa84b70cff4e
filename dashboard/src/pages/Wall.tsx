import { useMemo, useState } from 'react';
import type { ListedAlert } from '../components/AlertList.js';
import { Header, Notice } from '../components/Header.js';
import { AlertRail } from '../components/wall/AlertRail.js';
import { ShowCard } from '../components/wall/ShowCard.js';
import { ShowTable } from '../components/wall/ShowTable.js';
import { ShowTiles } from '../components/wall/ShowTiles.js';
import type { PageProps } from '../lib/auth.js';
import { filterCards, sortBy, sortedCards, splitEnded, type WallCard, type WallFilter, type WallSort } from '../lib/trouble.js';
import { useHubNow } from '../live/use-now.js';
import { useCriticalNotifier } from '../live/use-critical-notifier.js';
import { useLiveShows } from '../live/use-live-shows.js';
import { useWallKeys } from '../live/use-wall-keys.js';
import '../wall.css';

/** The wall keeps only what a card shows: the last line, no action log, a short viewer history. */
const WALL_REDUCE = { transcriptLimit: 1, actionLimit: 0, viewerHistoryLimit: 60, turnLimit: 30 };

const FILTERS: Array<{ id: WallFilter; label: string }> = [
  { id: 'all', label: 'All' },
  { id: 'live', label: 'Live' },
  { id: 'trouble', label: 'Trouble' },
  { id: 'ended', label: 'Ended' },
];

/** Tiles: ~100 shows on one screen; list: the sortable table; cards: a few shows, in detail. */
type View = 'tiles' | 'list' | 'cards';
const VIEWS: Array<{ id: View; label: string }> = [
  { id: 'tiles', label: 'Tiles' },
  { id: 'list', label: 'Table' },
  { id: 'cards', label: 'Cards' },
];
const VIEW_KEY = 'showwire.view';
const storedView = (): View => {
  const v = sessionStorage.getItem(VIEW_KEY);
  return v === 'tiles' || v === 'list' ? v : 'cards';
};

export function Wall({ token, claims, onSignOut, onUnauthorized }: PageProps) {
  const live = useLiveShows(token, undefined, WALL_REDUCE, onUnauthorized);
  const now = useHubNow(live.clockOffset);
  const [filter, setFilter] = useState<WallFilter>('all');
  const [search, setSearch] = useState('');
  const [view, setView] = useState<View>(storedView);
  const [sort, setSort] = useState<WallSort>({ key: 'triage', desc: true });
  // Order once per change of the shows (alerts, latency); the filter, search and counts only pick from that.
  const all = useMemo(() => sortedCards(live.states.values()), [live.states]);
  const cards = useMemo(() => splitEnded(sortBy(filterCards(all, filter, search), sort)), [all, filter, search, sort]);
  const count = (f: WallFilter) => (f === 'all' ? all.length : filterCards(all, f, '').length);
  const alerts = useMemo(
    () => all.flatMap(({ state, alerts: a }) => a.map((x): ListedAlert => ({ ...x, show: state.show, ...(state.title && { title: state.title }) }))),
    [all],
  );
  // The keys walk the shows as shown: the ones still on, then the ended ones.
  const { current: onNow, ended } = cards;
  const order = useMemo(() => [...onNow, ...ended].map((c) => c.state.show), [onNow, ended]);
  const selected = useWallKeys(order, view === 'tiles' ? tileColumns : oneColumn);
  const notifier = useCriticalNotifier(alerts);
  const chooseView = (v: View) => {
    sessionStorage.setItem(VIEW_KEY, v);
    setView(v);
  };
  const section = (list: WallCard[], offset: number, label: string) => {
    if (view === 'list') return <ShowTable cards={list} now={now} sort={sort} onSort={setSort} selected={selected - offset} label={label} />;
    if (view === 'tiles') return <ShowTiles cards={list} now={now} selected={selected - offset} label={label} />;
    return (
      <ul className="cards" aria-label={label}>
        {list.map((card) => (
          <li key={card.state.show}>
            <ShowCard card={card} now={Math.floor(now)} />
          </li>
        ))}
      </ul>
    );
  };

  return (
    <>
      <Header claims={claims} connection={live.connection} onSignOut={onSignOut}>
        <h1 className="sr-only">Live wall</h1>
      </Header>
      <div className="wall-layout">
        <main className="wall" data-testid="wall" data-view={view}>
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
              <input type="checkbox" checked={notifier.on} onChange={notifier.toggle} /> Sound on critical
            </label>
            <div className="segmented" role="group" aria-label="Layout">
              {VIEWS.map((v) => (
                <button key={v.id} type="button" aria-pressed={view === v.id} onClick={() => chooseView(v.id)} data-view={v.id}>
                  {v.label}
                </button>
              ))}
            </div>
            {view !== 'cards' && <span className="small muted keys">j/k move · Enter opens · l listens in</span>}
          </div>
          {live.error && <Notice kind="error">Could not load the shows: {live.error.message}</Notice>}
          {live.truncated && <Notice kind="warn">The hub pruned some history before this page could read it; counts may be incomplete.</Notice>}
          {!live.loading && !live.error && order.length === 0 && (
            <p className="empty">{all.length === 0 ? 'No shows yet. They appear here as soon as their first event reaches the hub.' : 'No show matches this filter.'}</p>
          )}
          {cards.current.length > 0 && section(cards.current, 0, 'Shows')}
          {cards.ended.length > 0 && (
            <section className="ended-shows" aria-labelledby="ended-h" data-testid="ended-shows">
              <h2 id="ended-h" className="section-h">
                Ended <span className="count">{cards.ended.length}</span>
              </h2>
              {section(cards.ended, cards.current.length, 'Ended shows')}
            </section>
          )}
        </main>
        <AlertRail alerts={alerts} token={token} now={now} />
      </div>
    </>
  );
}

const oneColumn = () => 1;

/** How many tiles a row holds now (the grid fills the width): the arrow keys move a row at a time. */
function tileColumns(): number {
  const grid = document.querySelector('.tiles');
  if (!grid) return 1;
  return Math.max(1, getComputedStyle(grid).gridTemplateColumns.split(' ').length);
}
