import { useMemo, useState } from 'react';
import type { ShowState } from '@showwire/protocol';
import { Header, Notice } from '../components/Header.js';
import { Thumb } from '../components/Thumb.js';
import type { PageProps } from '../lib/auth.js';
import { formatCount, formatDuration } from '../lib/format.js';
import { Link, showPath } from '../lib/router.js';
import { filterCards, sortedCards, TROUBLE_LABEL, type Trouble, type WallFilter } from '../lib/trouble.js';
import { useHubNow } from '../live/use-now.js';
import { useLiveShows } from '../live/use-live-shows.js';

/** The wall keeps only what a card shows: the last line, no action log, a short viewer history. */
const WALL_REDUCE = { transcriptLimit: 1, actionLimit: 0, viewerHistoryLimit: 60 };

const FILTERS: Array<{ id: WallFilter; label: string }> = [
  { id: 'all', label: 'All' },
  { id: 'live', label: 'Live' },
  { id: 'trouble', label: 'Trouble' },
  { id: 'ended', label: 'Ended' },
];

export function Wall({ token, claims, onSignOut, onUnauthorized }: PageProps) {
  const live = useLiveShows(token, undefined, WALL_REDUCE, onUnauthorized);
  const now = useHubNow(live.clockOffset);
  const [filter, setFilter] = useState<WallFilter>('all');
  const [search, setSearch] = useState('');
  // Troubles and order once per change; the filter, search and counts only pick from that.
  const all = useMemo(() => sortedCards(live.states.values(), now), [live.states, now]);
  const cards = useMemo(() => filterCards(all, filter, search), [all, filter, search]);
  const count = (f: WallFilter) => (f === 'all' ? all.length : filterCards(all, f, '').length);

  return (
    <>
      <Header claims={claims} connection={live.connection} onSignOut={onSignOut}>
        <h1 className="sr-only">Live wall</h1>
      </Header>
      <main className="wall" data-testid="wall">
        <div className="toolbar">
          <div className="segmented" role="group" aria-label="Filter shows">
            {FILTERS.map((f) => (
              <button key={f.id} type="button" aria-pressed={filter === f.id} onClick={() => setFilter(f.id)}>
                {f.label} <span className="count">{count(f.id)}</span>
              </button>
            ))}
          </div>
          <label className="search">
            <span className="sr-only">Search shows by title</span>
            <input type="search" placeholder="Search by title…" value={search} onChange={(e) => setSearch(e.target.value)} />
          </label>
        </div>
        {live.error && <Notice kind="error">Could not load the shows: {live.error.message}</Notice>}
        {live.truncated && <Notice kind="warn">The hub pruned some history before this page could read it; counts may be incomplete.</Notice>}
        {!live.loading && !live.error && cards.length === 0 && (
          <p className="empty">{all.length === 0 ? 'No shows yet. They appear here as soon as their first event reaches the hub.' : 'No show matches this filter.'}</p>
        )}
        <ul className="cards" aria-label="Shows">
          {cards.map(({ state, troubles }) => (
            <li key={state.show}>
              <ShowCard state={state} troubles={troubles} now={now} />
            </li>
          ))}
        </ul>
      </main>
    </>
  );
}

function ShowCard({ state: s, troubles, now }: { state: ShowState; troubles: Trouble[]; now: number }) {
  const title = s.title || s.show;
  const line = s.transcript.at(-1);
  const duration = s.startedAt !== undefined ? (s.endedAt ?? now) - s.startedAt : undefined;
  const serious = troubles.filter((t) => t !== 'ended');
  return (
    <Link
      href={showPath(s.show)}
      className={`card${serious.length ? ' card-trouble' : ''}${s.status === 'ended' ? ' card-ended' : ''}`}
      data-show={s.show}
      data-trouble={troubles.join(' ')}
      aria-label={`${title}: ${s.status}${serious.length ? `, ${serious.map((t) => TROUBLE_LABEL[t]).join(', ')}` : ''}`}
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
        <div className="card-stats">
          <span data-viewers={s.viewers}>
            <strong>{formatCount(s.viewers)}</strong> {s.viewers === 1 ? 'viewer' : 'viewers'}
          </span>
          <span data-products={s.productOrder.length}>
            <strong>{s.productOrder.length}</strong> {s.productOrder.length === 1 ? 'product' : 'products'}
          </span>
          <AgentChip state={s} />
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
        {serious.length > 0 && (
          <ul className="flags" aria-label="Trouble">
            {serious.map((t) => (
              <li key={t} className={`flag flag-${t}`}>
                {TROUBLE_LABEL[t]}
                {t === 'agent_error' && s.lastError ? `: ${s.lastError.message}` : ''}
              </li>
            ))}
          </ul>
        )}
      </div>
    </Link>
  );
}

export function AgentChip({ state: s }: { state: ShowState }) {
  const st = s.agentSpeaking ? 'speaking' : (s.agentState ?? 'unknown');
  if (st === 'unknown') return <span className="agent agent-unknown">No agent yet</span>;
  return (
    <span className={`agent agent-${st}`} data-agent-state={st}>
      <span className="agent-dot" aria-hidden="true" />
      {st}
    </span>
  );
}
