import { parseEventInput, summarize, type EventInput } from '@showwire/protocol';
import { CliError, ExitCode } from '../exit-codes.js';
import { postEvents } from '../hub-client.js';
import type { HubOptions } from '../options.js';
import { seededRandom, showEnded, showScript, stamp } from './show-script.js';

export interface SimulationOptions extends HubOptions {
  shows: string[];
  /** Events per second per show. */
  rate: number;
  /** Seconds; 0 runs until `stop()`. */
  duration: number;
  seed: number;
}

export interface SimulationStats {
  sent: number;
  byType: Map<string, number>;
  startedAt: number;
}

const TICK_MS = 100;

/** `412 events in 60 s (6.9/s), 12 products`: the line simulate and demo print as they go. */
export function progressLine(stats: SimulationStats): string {
  const secs = (Date.now() - stats.startedAt) / 1000;
  return `${stats.sent} events in ${secs.toFixed(0)} s (${(stats.sent / Math.max(secs, 0.001)).toFixed(1)}/s), ${stats.byType.get('product_created') ?? 0} products`;
}

/** Validates before sending: a simulator that posts what the protocol refuses would test nothing. */
function checked(event: EventInput): EventInput {
  const r = parseEventInput(event);
  if (!r.ok) throw new CliError(ExitCode.internal, `simulator made an invalid ${event.type}: ${summarize(r.issues)}`);
  return r.value;
}

/**
 * Plays the shows at `rate` events/s each: every tick posts what is due, one batch per show, and
 * waits for the answers before the next tick (so a slow hub slows us rather than piling up requests).
 * Ends each show with `show_ended` when the duration is up or `stop()` is called.
 */
export function simulate(opts: SimulationOptions) {
  const stats: SimulationStats = { sent: 0, byType: new Map(), startedAt: Date.now() };
  const shows = opts.shows.map((show, i) => ({ show, script: showScript(show, i, seededRandom(opts.seed + i)), seq: 0 }));
  let stopping = false;

  async function post(show: string, events: EventInput[]) {
    if (!events.length) return;
    await postEvents(opts, show, events);
    stats.sent += events.length;
    for (const e of events) stats.byType.set(e.type, (stats.byType.get(e.type) ?? 0) + 1);
  }

  async function run(): Promise<SimulationStats> {
    const endAt = opts.duration > 0 ? stats.startedAt + opts.duration * 1000 : Infinity;
    while (!stopping && Date.now() < endAt) {
      const due = Math.floor(((Date.now() - stats.startedAt) / 1000) * opts.rate) + 1;
      await Promise.all(
        shows.map((s) => {
          const batch: EventInput[] = [];
          while (s.seq < due) batch.push(checked(stamp(s.script.next().value, ++s.seq)));
          return post(s.show, batch);
        }),
      );
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
    await Promise.all(shows.map((s) => post(s.show, showEnded().map((d) => checked(stamp(d, ++s.seq))))));
    return stats;
  }

  return { stats, done: run(), stop: () => void (stopping = true) };
}
