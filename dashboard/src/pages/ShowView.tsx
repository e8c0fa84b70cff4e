import { useMemo } from 'react';
import { emptyShow, type ShowState } from '@showwire/protocol';
import { ActionFeed } from '../components/ActionFeed.js';
import { Carousel } from '../components/Carousel.js';
import { Header, Notice } from '../components/Header.js';
import { ShowSummary } from '../components/ShowSummary.js';
import { Recordings } from '../components/Recordings.js';
import { Sparkline } from '../components/Sparkline.js';
import { Thumb } from '../components/Thumb.js';
import { Transcript } from '../components/Transcript.js';
import { ShowTools } from '../components/ShowTools.js';
import { ApiError } from '../lib/api.js';
import type { PageProps } from '../lib/auth.js';
import { formatClock, formatCount, formatDuration } from '../lib/format.js';
import { momentOf, useHash } from '../lib/router.js';
import { NoSuchShow } from '../components/NoSuchShow.js';
import { rankedAlerts } from '../lib/trouble.js';
import { AlertList } from '../components/AlertList.js';
import { ControlBar } from '../components/ControlBar.js';
import { TurnWaterfall } from '../components/TurnWaterfall.js';
import { ListenIn } from '../components/ListenIn.js';
import { Presence } from '../components/Presence.js';
import { useHubNow } from '../live/use-now.js';
import { useLiveShows } from '../live/use-live-shows.js';
import { AgentChip } from '../components/AgentChip.js';
import { blockedText, useShowCapabilities } from '../live/use-show-capabilities.js';

export function ShowView({ show, token, claims, onSignOut, onUnauthorized }: PageProps & { show: string }) {
  const live = useLiveShows(token, show, undefined, onUnauthorized);
  const now = useHubNow(live.clockOffset);
  const state = useMemo(() => live.states.get(show) ?? emptyShow(show), [live.states, show]);
  const title = state.title || show;
  const alerts = useMemo(() => rankedAlerts(state).map((a) => ({ ...a, show })), [state, show]);
  const staff = !claims || claims.role === 'staff' || claims.role === 'admin';
  const moment = momentOf(useHash());
  // `?listen=1` (the wall's list view, key l): start listening at once, the key press being the gesture.
  const autoListen = useMemo(() => new URLSearchParams(location.search).get('listen') === '1', []);
  const access = useShowCapabilities(show, token, state.status);
  const caps = access.capabilities;
  // The history answered 403 too: nothing of this show is this sign-in's to see or do.
  const forbidden = access.forbidden || (live.error instanceof ApiError && live.error.status === 403);
  const listenBlocked = state.status === 'ended' ? 'ended' : caps?.listenBlocked;

  // No event of this show anywhere: say so, instead of an empty live page with controls. The
  // stream stays open, so a show that starts now replaces this page with itself.
  if (access.missing && state.eventCount === 0 && !live.loading)
    return <NoSuchShow show={show} claims={claims} connection={live.connection} onSignOut={onSignOut} />;

  return (
    <>
      <Header claims={claims} connection={live.connection} onSignOut={onSignOut}>
        <h1>{title}</h1>
      </Header>
      <main
        className="show"
        data-testid="show-view"
        data-show={show}
        data-event-count={state.eventCount}
        data-last-event-id={state.lastEventId ?? ''}
        data-loading={String(live.loading)}
      >
        {(live.error || forbidden) && (
          <Notice kind="error">
            {forbidden
              ? `This sign-in cannot watch “${show}”: its token does not cover this show, so there is nothing here to see or control.`
              : `Could not load this show: ${live.error?.message}`}
          </Notice>
        )}
        {!forbidden && (
          <>
            {live.truncated && <Notice kind="warn">The hub no longer keeps this show’s oldest events; the transcript starts where its history does.</Notice>}
            <div className="show-bar">
              <Presence show={show} token={token} {...(claims && { me: claims.sub })} {...(live.presence && { live: live.presence })} />
              {staff && caps && <ListenIn show={show} token={token} autoStart={autoListen} blocked={listenBlocked ? blockedText(listenBlocked, 'listen') : undefined} />}
            </div>
            {alerts.length > 0 && <AlertList alerts={alerts} token={token} now={now} showNames={false} />}
            <ControlBar show={show} token={token} claims={claims} capabilities={caps && state.status === 'ended' ? { ...caps, actions: [], controlsBlocked: 'ended' } : caps} />
            <ShowMeta state={state} now={now} />
            <ShowTools show={show} token={token} />
            {state.status === 'ended' && <ShowSummary show={show} token={token} version={state.lastEventId} />}
            <Recordings show={show} token={token} />
            <div className="show-grid">
              <Transcript lines={state.transcript} speaking={state.agentSpeaking} moment={moment} />
              <div className="show-side">
                <Carousel state={state} />
                <ActionFeed actions={state.actions} products={state.products} />
                <TurnWaterfall state={state} />
              </div>
            </div>
          </>
        )}
      </main>
    </>
  );
}

function ShowMeta({ state: s, now }: { state: ShowState; now: number }) {
  const duration = s.startedAt !== undefined ? (s.endedAt ?? now) - s.startedAt : undefined;
  return (
    <section className="meta panel" aria-label="Show details">
      <Thumb url={s.thumbnailUrl} title={s.title || s.show} />
      <dl className="meta-list">
        <div>
          <dt>Status</dt>
          <dd>
            {s.status === 'live' ? <span className="badge badge-live">LIVE</span> : s.status === 'ended' ? <span className="badge badge-ended">ENDED</span> : <span className="muted">Not started</span>}
          </dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{duration !== undefined ? formatDuration(duration) : '—'}</dd>
        </div>
        <div>
          <dt>Agent</dt>
          <dd>
            {/* An ended show has no live agent: its last state would only mislead. */}
            {s.status === 'ended' ? <span className="muted" data-agent-state="ended">Session over</span> : <AgentChip state={s} />}
          </dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{s.startedAt !== undefined ? formatClock(s.startedAt) : '—'}</dd>
        </div>
        <div>
          <dt>Show id</dt>
          <dd>
            <code>{s.show}</code>
          </dd>
        </div>
        <div>
          <dt>Events</dt>
          <dd>{formatCount(s.eventCount)}</dd>
        </div>
      </dl>
      <div className="viewers">
        <div className="viewers-now">
          <span className="big" data-viewers={s.viewers}>
            {formatCount(s.viewers)}
          </span>
          <span className="muted small">viewers now</span>
        </div>
        <div className="viewers-now">
          <span className="big" data-viewer-peak={s.story?.viewerPeak ?? s.viewers}>
            {formatCount(Math.max(s.story?.viewerPeak ?? 0, s.viewers))}
          </span>
          <span className="muted small">peak</span>
        </div>
        <Sparkline samples={s.viewerHistory} label={`Viewer count over time, now ${s.viewers}`} />
      </div>
    </section>
  );
}
