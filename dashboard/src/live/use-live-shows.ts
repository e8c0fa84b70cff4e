import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { reduceShowMany, type ReduceOptions, type ShowState, type Watcher } from '@showwire/protocol';
import { ApiError, loadHistory, loadShowList, streamUrl, summaryToState, tokenAccepted } from '../lib/api.js';
import { openConnection, type ConnectionState } from '../lib/connection.js';
import { maxId } from '../lib/ids.js';
import { createShowStore } from '../lib/show-store.js';

export interface LiveShows {
  states: ReadonlyMap<string, ShowState>;
  connection: ConnectionState;
  /** Set while the first load runs. */
  loading: boolean;
  error?: ApiError | Error;
  /** The hub said events were pruned before we could see them. */
  truncated: boolean;
  /** Hub clock minus ours, seconds. */
  clockOffset: number;
  /** Who else watches the show (the show view), from the hub's presence notices. */
  presence?: Watcher[];
}

/**
 * The shows a page needs, live over one EventSource.
 * - `show` given (the show view): its whole history first, page by page, then the stream of
 *   that show from the last id loaded.
 * - no `show` (the wall): `GET /api/shows` for every show's state, then the stream of every
 *   show the token reads, from the newest id in that snapshot.
 * Either way the stream resumes from the last id it delivered after any drop.
 * When the hub refuses the token (401: it expired, and the hub ended the stream at its `exp`),
 * `onUnauthorized` is called and nothing retries: the page must ask for a new sign-in.
 */
export function useLiveShows(token: string | null, show: string | undefined, reduce?: ReduceOptions, onUnauthorized?: () => void): LiveShows {
  const unauthorized = useRef(onUnauthorized);
  // A refreshed token is picked up by the next (re)connect: the hub ends a stream at its token's
  // exp and the connection resumes from its last id with the fresh one, so nothing is reloaded.
  const tokenRef = useRef(token);
  // Declared before the connection's effect, so it sees this render's values.
  useEffect(() => {
    unauthorized.current = onUnauthorized;
    tokenRef.current = token;
  });
  const [presence, setPresence] = useState<Watcher[]>();
  const store = useMemo(() => createShowStore({ ...(reduce && { reduce }) }), [show]); // eslint-disable-line react-hooks/exhaustive-deps -- one store per show; `reduce` is fixed for the page's life
  const states = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | Error>();
  const [truncated, setTruncated] = useState(false);
  const [clockOffset, setClockOffset] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    let conn: ReturnType<typeof openConnection> | undefined;
    // eslint-disable-next-line react-hooks/set-state-in-effect -- a new show starts over: loading, no error, connecting
    setLoading(true);
    setError(undefined);
    setTruncated(false);
    setConnection('connecting');

    (async () => {
      let from: string;
      if (show) {
        const history = await loadHistory(show, token, { signal: abort.signal });
        const state = reduceShowMany(undefined, history.events, reduce);
        if (history.events.length > 0) store.set(state);
        if (history.truncated) setTruncated(true);
        // '0' replays from the start of retained history: a show with no events yet misses nothing.
        from = state.lastEventId ?? '0';
      } else {
        const list = await loadShowList(token);
        store.reset(list.map(summaryToState));
        from = maxId(list.map((s) => s.lastEventId)) ?? '0';
      }
      if (abort.signal.aborted) return;
      setLoading(false);
      const url = (last: string | undefined) => streamUrl(tokenRef.current, { ...(show && { shows: [show] }), ...(last !== undefined && { lastEventId: last }) });
      conn = openConnection({
        url,
        lastEventId: from,
        onEvent: (e) => store.push(e),
        onNotice: () => setTruncated(true),
        onPresence: (p) => p.show === show && setPresence(p.watchers),
        onState: setConnection,
        onClockOffset: setClockOffset,
        authorized: () => tokenAccepted(url(undefined)),
        onUnauthorized: () => unauthorized.current?.(),
      });
    })().catch((e: unknown) => {
      if (abort.signal.aborted) return;
      if (e instanceof ApiError && e.status === 401 && unauthorized.current) return unauthorized.current();
      setLoading(false);
      setConnection('offline');
      setError(e instanceof Error ? e : new Error(String(e)));
    });

    const online = () => conn?.retryNow();
    window.addEventListener('online', online);
    return () => {
      abort.abort();
      conn?.close();
      window.removeEventListener('online', online);
    };
  }, [store, show]); // eslint-disable-line react-hooks/exhaustive-deps -- the token is read through tokenRef at each (re)connect: a refreshed one must not reload history

  return { states, connection, loading, truncated, clockOffset, ...(error && { error }), ...(presence && { presence }) };
}
