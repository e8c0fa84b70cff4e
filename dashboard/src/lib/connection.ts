import { heartbeatNotice, historyTruncatedNotice, type HistoryTruncatedNotice, type HubEvent, type PresenceNotice } from '@showwire/protocol';

/**
 * `live`: the stream is open and the hub's heartbeats arrive. `reconnecting`: it dropped (or
 * went quiet) and we are resuming from the last id. `offline`: several attempts failed; we keep
 * trying, less often. `connecting`: the first attempt.
 */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** The hub's `history_truncated` notice (protocol's schema). */
export type TruncatedNotice = HistoryTruncatedNotice;

type EventSourceLike = {
  onopen: ((e: Event) => void) | null;
  onmessage: ((e: MessageEvent) => void) | null;
  onerror: ((e: Event) => void) | null;
  close(): void;
};

export interface ConnectionOptions {
  /** The stream URL resuming after `lastEventId` (undefined: from now). */
  url: (lastEventId: string | undefined) => string;
  lastEventId?: string;
  onEvent: (event: HubEvent) => void;
  onNotice?: (notice: TruncatedNotice) => void;
  /** Who watches the show(s) of this stream changed (an id-less notice). */
  onPresence?: (notice: PresenceNotice) => void;
  onState?: (state: ConnectionState) => void;
  /** Hub clock minus ours, seconds, from each heartbeat's `timestamp`. */
  onClockOffset?: (seconds: number) => void;
  EventSource?: new (url: string) => EventSourceLike;
  /** Quiet this long without an event or heartbeat and the stream counts as dead, until heartbeats set the pace. */
  initialStaleMs?: number;
  /** After this many failed attempts in a row the state says `offline`. */
  offlineAfterAttempts?: number;
  maxBackoffMs?: number;
  /**
   * Asked after an attempt fails before the stream opened. EventSource cannot see status codes,
   * so this finds out whether the hub refused the token (401: answer false). Then retrying can
   * never succeed, so the connection stops and calls `onUnauthorized` instead of going offline.
   */
  authorized?: () => Promise<boolean>;
  onUnauthorized?: () => void;
}

/**
 * The page's one SSE connection. The browser's own EventSource retry is not used: it gives up
 * for good on a 5xx (a draining hub answers 503) and cannot notice a silent, half-open TCP
 * connection. Instead every error or missed heartbeat closes the stream and opens a new one with
 * `lastEventId` set to the last id received, so the hub replays exactly what was missed.
 */
export function openConnection(opts: ConnectionOptions) {
  const ES = opts.EventSource ?? (globalThis.EventSource);
  const offlineAfter = opts.offlineAfterAttempts ?? 3;
  const maxBackoff = opts.maxBackoffMs ?? 10_000;
  let lastEventId = opts.lastEventId;
  let es: EventSourceLike | undefined;
  let state: ConnectionState | undefined;
  let attempts = 0;
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  let lastHeartbeat: number | undefined;
  let heartbeatGap: number | undefined;
  /** Whether the current attempt got as far as an open stream. */
  let opened = false;

  const setState = (s: ConnectionState) => {
    if (s === state) return;
    state = s;
    opts.onState?.(s);
  };

  // Three missed heartbeats (by the pace observed) and the connection is presumed dead.
  const staleMs = () => (heartbeatGap ? Math.max(1000, heartbeatGap * 3) : (opts.initialStaleMs ?? 45_000));
  const arm = () => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => drop(), staleMs());
  };

  function connect() {
    if (closed) return;
    setState(state === undefined || state === 'connecting' ? 'connecting' : attempts > offlineAfter ? 'offline' : 'reconnecting');
    const source = new ES(opts.url(lastEventId));
    es = source;
    opened = false;
    arm();
    source.onopen = () => {
      if (es !== source) return;
      opened = true;
      attempts = 0;
      setState('live');
      arm();
    };
    source.onmessage = (m) => {
      if (es !== source) return;
      arm();
      let data: { type?: string; id?: string; timestamp?: number };
      try {
        data = JSON.parse(String(m.data)) as typeof data;
      } catch {
        return;
      }
      if (data.type === 'heartbeat') {
        const now = Date.now();
        if (lastHeartbeat !== undefined) heartbeatGap = now - lastHeartbeat;
        lastHeartbeat = now;
        const beat = heartbeatNotice.safeParse(data);
        if (beat.success) opts.onClockOffset?.(beat.data.timestamp - now / 1000);
        attempts = 0;
        setState('live');
        return;
      }
      if (data.type === 'presence') {
        opts.onPresence?.(data as unknown as PresenceNotice);
        return;
      }
      if (data.type === 'history_truncated') {
        const notice = historyTruncatedNotice.safeParse(data);
        if (notice.success) opts.onNotice?.(notice.data);
        return;
      }
      if (typeof data.id !== 'string') return;
      lastEventId = data.id;
      opts.onEvent(data as HubEvent);
    };
    source.onerror = () => {
      if (es === source) drop();
    };
  }

  function drop() {
    clearTimeout(watchdog);
    es?.close();
    es = undefined;
    if (closed) return;
    attempts += 1;
    lastHeartbeat = undefined;
    const delay = Math.min(maxBackoff, 250 * 2 ** (attempts - 1)) * (0.75 + Math.random() * 0.5);
    clearTimeout(retryTimer);
    // The state changes only once the token is known to be good: a refused one never says `offline`.
    const retry = () => {
      if (closed) return;
      setState(attempts > offlineAfter ? 'offline' : 'reconnecting');
      clearTimeout(retryTimer);
      // Unless retryNow() already started an attempt while the token was being checked.
      if (!closed && es === undefined) retryTimer = setTimeout(connect, delay);
    };
    if (opened || !opts.authorized) return retry();
    // A network failure while asking is no verdict on the token: keep retrying.
    opts.authorized().then(
      (ok) => {
        if (ok || closed) return retry();
        closed = true;
        clearTimeout(retryTimer);
        clearTimeout(watchdog);
        es?.close();
        opts.onUnauthorized?.();
      },
      retry,
    );
  }

  connect();
  return {
    get state() {
      return state;
    },
    get lastEventId() {
      return lastEventId;
    },
    /** Try again now (the browser came back online). */
    retryNow() {
      if (closed || state === 'live') return;
      clearTimeout(retryTimer);
      es?.close();
      connect();
    },
    close() {
      closed = true;
      clearTimeout(retryTimer);
      clearTimeout(watchdog);
      es?.close();
    },
  };
}

export type Connection = ReturnType<typeof openConnection>;
