import { hubWrittenTypes, type EventInput, type HubEvent } from '@showwire/protocol';

/** Left out whatever is asked: the hub refuses them to any token, and makes its own for the copy. */
const HUB_WRITTEN: ReadonlySet<string> = new Set(hubWrittenTypes);

/** One POST of the replay: the events due at the same moment, and when (ms after the replay's start). */
export interface ReplayBatch {
  atMs: number;
  events: EventInput[];
}

export interface ScheduleOptions {
  to: string;
  speed: number;
  /** Longest wait between two events, in the recording's seconds (0: keep every gap). */
  maxGapSeconds: number;
  /** Types left out besides the hub's own (`hubWrittenTypes`: alerts, controls, the summary, …), which always are. */
  skipTypes: ReadonlySet<string>;
  /** Tags this run's eventIds, so a retried POST is stored once but a second run is a new rehearsal. */
  runId: string;
  /** Events due within this many ms of a batch's first go in the same POST. */
  windowMs?: number;
  maxBatch?: number;
}

/**
 * The recording, re-addressed and paced: each event loses what the hub stamps (`id`,
 * `receivedAt`, `source`, and `timestamp`, so the copy is timed when it is re-published) and
 * keeps everything it was sent with. Gaps follow the hub's clock (`receivedAt`, which only
 * grows in id order), divided by `speed`.
 */
export function scheduleReplay(history: readonly HubEvent[], opts: ScheduleOptions): ReplayBatch[] {
  const windowMs = opts.windowMs ?? 20;
  const maxBatch = opts.maxBatch ?? 200;
  const batches: ReplayBatch[] = [];
  let atMs = 0;
  let prev: number | undefined;
  for (const e of history) {
    if (opts.skipTypes.has(e.type) || HUB_WRITTEN.has(e.type)) continue;
    let gap = prev === undefined ? 0 : Math.max(0, e.receivedAt - prev);
    if (opts.maxGapSeconds > 0) gap = Math.min(gap, opts.maxGapSeconds);
    prev = e.receivedAt;
    atMs += (gap * 1000) / opts.speed;
    const { id, receivedAt: _r, source: _s, timestamp: _t, eventId: _e, show: _show, ...fields } = e as HubEvent & Record<string, unknown>;
    const copy: EventInput = { ...fields, type: e.type, show: opts.to, eventId: `replay:${opts.runId}:${id}` };
    const last = batches.at(-1);
    if (last && atMs - last.atMs <= windowMs && last.events.length < maxBatch) last.events.push(copy);
    else batches.push({ atMs, events: [copy] });
  }
  return batches;
}
