import { useEffect, useMemo, useState } from 'react';
import { emptyShow, type HubEvent } from '@showwire/protocol';
import { ActionFeed } from '../components/ActionFeed.js';
import { Carousel } from '../components/Carousel.js';
import { Header, Notice } from '../components/Header.js';
import { Transcript } from '../components/Transcript.js';
import { loadHistory } from '../lib/api.js';
import type { PageProps } from '../lib/auth.js';
import { formatClock, formatCount, formatDuration } from '../lib/format.js';
import { countAt, createReplayer, markersOf, REPLAY_SPEEDS } from '../lib/replay.js';
import { Link, showPath } from '../lib/router.js';

/** Play-back ticks: the instant moves 100 ms × speed per tick. */
const TICK_MS = 100;

/**
 * Any show, live or ended, rebuilt from its history with the same `reduceShow` as live: scrub the
 * timeline, play it at 1×, 4× or 16×, or jump to an alert or a product. `?at=<epoch s>` lands on
 * an instant (shareable).
 */
export function Replay({ show, token, claims, onSignOut }: PageProps & { show: string }) {
  const [events, setEvents] = useState<HubEvent[]>();
  const [error, setError] = useState<string>();
  /** How many events are applied; the instant is the last applied event's time, or `at` while scrubbing/playing. */
  const [at, setAt] = useState<number>();
  const [count, setCount] = useState(0);
  const [speed, setSpeed] = useState<number>();

  useEffect(() => {
    const abort = new AbortController();
    loadHistory(show, token, { signal: abort.signal }).then(
      ({ events: list }) => {
        setEvents(list);
        const asked = Number(new URLSearchParams(location.search).get('at'));
        const start = Number.isFinite(asked) && asked > 0 ? asked : (list[0]?.receivedAt ?? 0);
        setAt(start);
        setCount(countAt(list, start));
      },
      (e: Error) => !abort.signal.aborted && setError(e.message),
    );
    return () => abort.abort();
  }, [show, token]);

  const stateAt = useMemo(() => createReplayer(events ?? []), [events]);
  const markers = useMemo(() => markersOf(events ?? []), [events]);
  const state = useMemo(() => stateAt(count) ?? emptyShow(show), [stateAt, count, show]);
  const first = events?.[0]?.receivedAt ?? 0;
  const last = events?.at(-1)?.receivedAt ?? 0;

  const seek = (t: number) => {
    if (!events) return;
    const clamped = Math.min(Math.max(t, first), last);
    setAt(clamped);
    setCount(countAt(events, clamped));
  };

  useEffect(() => {
    if (!speed || !events) return;
    const timer = setInterval(() => {
      setAt((t) => {
        const next = Math.min((t ?? first) + (TICK_MS / 1000) * speed, last);
        setCount(countAt(events, next));
        if (next >= last) setSpeed(undefined);
        return next;
      });
    }, TICK_MS);
    return () => clearInterval(timer);
  }, [speed, events, first, last]);

  return (
    <>
      <Header claims={claims} onSignOut={onSignOut}>
        <h1>Replay: {state.title || show}</h1>
      </Header>
      <main
        className="show replay"
        data-testid="replay"
        data-loaded={String(events !== undefined)}
        data-count={count}
        data-at={at ?? ''}
        data-event-count={state.eventCount}
        data-last-event-id={state.lastEventId ?? ''}
        data-viewers={state.viewers}
        data-status={state.status}
        data-carousel={state.carousel.join(',')}
        data-playing={speed ?? ''}
      >
        {error && <Notice kind="error">Could not load this show’s history: {error}</Notice>}
        <section className="panel timeline" aria-label="Timeline">
          <Link href={showPath(show)}>← back to the show</Link>
          <input
            type="range"
            aria-label="Instant"
            min={first}
            max={last}
            step={0.001}
            value={at ?? first}
            onChange={(e) => seek(Number(e.target.value))}
            disabled={!events?.length}
          />
          <span className="small" data-testid="instant">
            {at !== undefined && events?.length ? `${formatDuration(at - first)} / ${formatDuration(last - first)} · ${formatClock(at)} · ${formatCount(count)} of ${formatCount(events.length)} events` : '—'}
          </span>
          <div className="speeds">
            {REPLAY_SPEEDS.map((s) => (
              <button
                key={s}
                className={speed === s ? 'btn-quiet active' : 'btn-quiet'}
                onClick={() => {
                  if (at !== undefined && at >= last) seek(first);
                  setSpeed(speed === s ? undefined : s);
                }}
                data-speed={s}
              >
                {speed === s ? 'Pause' : `▶ ${s}×`}
              </button>
            ))}
          </div>
          <div className="markers" aria-label="Jump to">
            {markers.map((m) => (
              <button
                key={m.index}
                className={`btn-quiet marker marker-${m.kind}`}
                data-marker-index={m.index}
                onClick={() => {
                  setSpeed(undefined);
                  setAt(m.at);
                  setCount(m.index + 1);
                }}
              >
                {formatDuration(m.at - first)} {m.label}
              </button>
            ))}
          </div>
        </section>
        <div className="show-grid">
          <Transcript lines={state.transcript} speaking={state.agentSpeaking} />
          <div className="show-side">
            <Carousel state={state} />
            <ActionFeed actions={state.actions} products={state.products} />
          </div>
        </div>
      </main>
    </>
  );
}
