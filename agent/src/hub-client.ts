import { randomUUID } from 'node:crypto';
import type { EventInput } from '@showwire/protocol';

/**
 * The agent's line to the hub. `publish()` only appends to a bounded in-memory queue and returns:
 * it never awaits the network, so the audio path is never blocked or slowed by the hub. One
 * sender loop drains the queue in batches, one request at a time (so the hub sees events in the
 * order they were produced), retrying with capped exponential backoff and full jitter. Every event
 * carries an `eventId` fixed when it is queued, so a retry of a batch the hub already stored
 * (the answer was lost) is recognised by the hub and stored once.
 */
export interface HubClientOptions {
  /** Base URL of the hub, e.g. http://127.0.0.1:8080. */
  url: string;
  /** An agent-role hub token for the show. */
  token?: string;
  /** The show (LiveKit room name) every event goes to. */
  show: string;
  /** Most events held while the hub is unreachable; past it the oldest are dropped and reported. */
  maxBuffer?: number;
  /** Most events per request (the hub takes up to 1000). */
  batchSize?: number;
  /** How long a new event waits for company before it is sent, in ms. */
  lingerMs?: number;
  /** Backoff bounds between failed attempts, in ms. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Per-request timeout, in ms. */
  requestTimeoutMs?: number;
  /** Told whenever events are dropped (buffer full, or the hub refused them as invalid). */
  onDrop?: (report: DropReport) => void;
  /** Told about failed attempts (network down, 5xx); the client keeps retrying. */
  onError?: (error: Error) => void;
}

export interface DropReport {
  reason: 'buffer_full' | 'rejected';
  count: number;
  types: string[];
  detail?: string;
}

export interface HubClientStats {
  queued: number;
  sent: number;
  dropped: number;
  failedAttempts: number;
}

type Queued = EventInput & { eventId: string; timestamp: number };

/** POSTs JSON to the hub with the agent's token; rejects only when the hub cannot be reached. */
export function postToHub(url: string, body: unknown, token: string | undefined, timeoutMs: number): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
}

/** HTTP statuses that a retry cannot fix: the batch itself is wrong. */
const REJECTED = new Set([400, 413, 415, 422]);

export function createHubClient(options: HubClientOptions) {
  const opts = {
    maxBuffer: 10_000,
    batchSize: 200,
    lingerMs: 20,
    minBackoffMs: 200,
    maxBackoffMs: 5_000,
    requestTimeoutMs: 10_000,
    ...options,
  };
  // The show on the hub: events go to `/events`; the tools post to its other endpoints.
  const showUrl = `${opts.url.replace(/\/$/, '')}/api/shows/${encodeURIComponent(opts.show)}`;
  const endpoint = `${showUrl}/events`;
  // eventIds are unique per client instance; the hub dedupes per show.
  const prefix = randomUUID().slice(0, 8);
  let seq = 0;

  // A queue with a moving head: acknowledging a batch is O(batch), not O(queue).
  let queue: Queued[] = [];
  let head = 0;
  const counts = { sent: 0, dropped: 0, failedAttempts: 0 };
  // Drops are reported to the hub too, as one coalesced event once it can be reached.
  let unreported: DropReport | undefined;
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<void> | undefined;
  let attempt = 0;
  // After a 400, events go one per request until the bad one is isolated and set aside.
  let isolate = 0;
  let closed = false;
  const idleWaiters = new Set<() => void>();

  const pending = () => queue.length - head;
  const stats = (): HubClientStats => ({ queued: pending(), ...counts });

  function publish(event: EventInput): void {
    if (closed) return;
    const queued: Queued = { ...event, eventId: event.eventId ?? `${prefix}-${++seq}`, timestamp: event.timestamp ?? Date.now() / 1000 };
    if (pending() >= opts.maxBuffer) {
      const oldest = queue[head]!;
      head++;
      drop({ reason: 'buffer_full', count: 1, types: [oldest.type] });
    }
    queue.push(queued);
    schedule(opts.lingerMs);
  }

  function drop(report: DropReport) {
    counts.dropped += report.count;
    opts.onDrop?.(report);
    unreported = unreported
      ? { ...unreported, count: unreported.count + report.count, types: [...new Set([...unreported.types, ...report.types])].slice(0, 20) }
      : report;
  }

  function schedule(delay: number) {
    if (timer || sending || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      sending = sendLoop().finally(() => {
        sending = undefined;
        if (pending() > 0 || unreported) schedule(backoff());
        else for (const w of [...idleWaiters]) w();
      });
    }, delay);
  }

  const backoff = () => (attempt === 0 ? 0 : Math.random() * Math.min(opts.maxBackoffMs, opts.minBackoffMs * 2 ** (attempt - 1)));

  /** Sends batches until the queue is empty or an attempt fails (the caller schedules the retry). */
  async function sendLoop(): Promise<void> {
    while (pending() > 0 || unreported) {
      const size = isolate > 0 ? 1 : opts.batchSize;
      const batch = queue.slice(head, head + size);
      if (unreported) batch.push(dropNotice(unreported));
      let res: Response;
      try {
        res = await postToHub(endpoint, batch, opts.token, opts.requestTimeoutMs);
      } catch (error) {
        return failed(error instanceof Error ? error : new Error(String(error)));
      }
      const text = await res.text().catch(() => '');
      if (res.ok) {
        acknowledge(batch);
        continue;
      }
      if (REJECTED.has(res.status)) {
        if (batch.length > 1 && isolate === 0) {
          // Find the bad event without losing its neighbours: resend this stretch one by one.
          isolate = batch.length;
          continue;
        }
        acknowledge(batch);
        const bad = batch.filter((e) => e.type !== 'events_dropped');
        if (bad.length) drop({ reason: 'rejected', count: bad.length, types: bad.map((e) => e.type), detail: `${res.status} ${text.slice(0, 500)}` });
        continue;
      }
      return failed(new Error(`hub answered ${res.status}: ${text.slice(0, 500)}`));
    }
    attempt = 0;
  }

  function acknowledge(batch: Queued[]) {
    const own = batch.filter((e) => e.type !== 'events_dropped').length;
    if (own < batch.length) unreported = undefined;
    head += own;
    counts.sent += own;
    if (isolate > 0) isolate = Math.max(0, isolate - own);
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    attempt = 0;
  }

  function failed(error: Error) {
    attempt++;
    counts.failedAttempts++;
    opts.onError?.(error);
  }

  function dropNotice(report: DropReport): Queued {
    return { type: 'events_dropped', eventId: `${prefix}-drop-${counts.dropped}`, timestamp: Date.now() / 1000, ...report };
  }

  /** Resolves once everything queued so far has reached the hub (or `timeoutMs` passed). */
  function flush(timeoutMs = 10_000): Promise<boolean> {
    if (pending() === 0 && !unreported && !sending) return Promise.resolve(true);
    if (timer && attempt === 0) {
      // Skip the linger: someone is waiting.
      clearTimeout(timer);
      timer = undefined;
      schedule(0);
    }
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        idleWaiters.delete(onIdle);
        clearTimeout(t);
        resolve(ok);
      };
      const onIdle = () => done(true);
      const t = setTimeout(() => done(false), timeoutMs);
      idleWaiters.add(onIdle);
    });
  }

  /** Stops taking events, drains what is queued for up to `timeoutMs`, and reports what is left as dropped. */
  async function close(timeoutMs = 10_000): Promise<HubClientStats> {
    const drained = await flush(timeoutMs);
    closed = true;
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!drained && pending() > 0) {
      const left = queue.slice(head);
      head = queue.length;
      counts.dropped += left.length;
      opts.onDrop?.({ reason: 'buffer_full', count: left.length, types: [...new Set(left.map((e) => e.type))], detail: 'hub unreachable at shutdown' });
    }
    return stats();
  }

  return { publish, flush, close, stats, show: opts.show, showUrl };
}

export type HubClient = ReturnType<typeof createHubClient>;
