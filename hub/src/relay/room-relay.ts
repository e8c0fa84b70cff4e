import type { FastifyBaseLogger } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AppendedRecord } from '../log/event-log.js';

/** The topic in-room apps listen on (`room.on(DataReceived, (payload, p, kind, topic) => …)`). */
export const RELAY_TOPIC = 'showwire.events';

/** A show found to have no LiveKit room is skipped this long before LiveKit is asked again, ms. */
const ABSENT_ROOM_MS = 5_000;

interface RoomRelayOptions {
  /** Event types relayed; others are ignored. */
  types: ReadonlySet<string>;
  /** Events waiting for LiveKit at most (all rooms together); past this, new ones are dropped (and counted). */
  maxQueue: number;
  /** Sends one event's JSON into a room as reliable data on the topic; rejects when LiveKit can't take it. */
  send: (room: string, payload: Uint8Array) => Promise<void>;
  /** Whether LiveKit has this room now; asked after a failed send, to tell "no room" from "LiveKit failing". */
  roomExists: (room: string) => Promise<boolean>;
  registry: Registry;
  logger: FastifyBaseLogger;
}

/**
 * Relays stored events into their show's LiveKit room. It runs after the commit (a log
 * listener) and only queues: ingest never waits for LiveKit. Each room has its own queue and one
 * send at a time, so a room's events arrive in id order and a slow room (LiveKit takes seconds to
 * refuse a room that does not exist) holds up no other. A full queue or a failed send drops the
 * event with a metric, since in-room apps that missed one can read the show over HTTP or SSE.
 */
export function createRoomRelay(opts: RoomRelayOptions) {
  const { registry } = opts;
  const sent = new Counter({ name: 'showwire_room_relay_sent_total', help: 'Events sent into LiveKit rooms as data', registers: [registry] });
  const dropped = new Counter({
    name: 'showwire_room_relay_dropped_total',
    help: 'Events not relayed into their LiveKit room, by reason (no_room: the show has no room; queue_full: LiveKit too slow; send_failed: LiveKit refused or unreachable)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const queues = new Map<string, Uint8Array[]>();
  const absentUntil = new Map<string, number>();
  let depth = 0;
  new Gauge({
    name: 'showwire_room_relay_queue_depth',
    help: 'Events waiting to be relayed into LiveKit rooms',
    registers: [registry],
    collect() {
      this.set(depth);
    },
  });
  const encoder = new TextEncoder();
  let closed = false;
  let lastWarn = 0;

  function warn(error: unknown) {
    // One line per 10 s at most: a LiveKit that is down must not flood the log either.
    if (Date.now() - lastWarn < 10_000) return;
    lastWarn = Date.now();
    opts.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'room relay: LiveKit did not take an event (dropped)');
  }

  async function pump(room: string, queue: Uint8Array[]) {
    while (queue.length > 0 && !closed) {
      const payload = queue.shift()!;
      depth--;
      try {
        await opts.send(room, payload);
        sent.inc();
      } catch (error) {
        if (await opts.roomExists(room).catch(() => true)) {
          dropped.inc({ reason: 'send_failed' });
          warn(error);
          continue;
        }
        // Nobody is in the show's room: drop what waits for it, and skip it for a while.
        absentUntil.set(room, Date.now() + ABSENT_ROOM_MS);
        dropped.inc({ reason: 'no_room' }, 1 + queue.length);
        depth -= queue.length;
        queue.length = 0;
      }
    }
    queues.delete(room);
  }

  /** Log listener: queues the relayed types (never throws, never waits). */
  function onRecords(records: readonly AppendedRecord[]): void {
    if (closed) return;
    const now = Date.now();
    for (const r of records) {
      if (!opts.types.has(r.type)) continue;
      if ((absentUntil.get(r.show) ?? 0) > now) {
        dropped.inc({ reason: 'no_room' });
        continue;
      }
      absentUntil.delete(r.show);
      if (depth >= opts.maxQueue) {
        dropped.inc({ reason: 'queue_full' });
        warn(new Error(`relay queue full (${opts.maxQueue})`));
        continue;
      }
      let queue = queues.get(r.show);
      const idle = !queue;
      if (!queue) queues.set(r.show, (queue = []));
      queue.push(encoder.encode(r.json));
      depth++;
      if (idle) void pump(r.show, queue);
    }
  }

  return {
    onRecords,
    close() {
      closed = true;
      queues.clear();
      depth = 0;
    },
  };
}
