import type { FastifyBaseLogger } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AppendedRecord } from '../log/event-log.js';

/** The topic in-room apps listen on (`room.on(DataReceived, (payload, p, kind, topic) => …)`). */
export const RELAY_TOPIC = 'showwire.events';

export interface RoomRelayOptions {
  /** Event types relayed; others are ignored. */
  types: ReadonlySet<string>;
  /** Events waiting for LiveKit at most; past this, new ones are dropped (and counted). */
  maxQueue: number;
  /** Sends one event's JSON into a room as reliable data on the topic; rejects when LiveKit can't take it. */
  send: (room: string, payload: Uint8Array) => Promise<void>;
  registry: Registry;
  logger: FastifyBaseLogger;
}

/**
 * Relays stored events into their show's LiveKit room. It runs after the commit (a log
 * listener) and only queues: ingest never waits for LiveKit. One send at a time keeps a room's
 * events in id order; a full queue or a failed send drops the event with a metric, since in-room
 * apps that missed one can always read the show's state over HTTP or SSE.
 */
export function createRoomRelay(opts: RoomRelayOptions) {
  const { registry } = opts;
  const sent = new Counter({ name: 'showwire_room_relay_sent_total', help: 'Events sent into LiveKit rooms as data', registers: [registry] });
  const dropped = new Counter({
    name: 'showwire_room_relay_dropped_total',
    help: 'Events not relayed into their LiveKit room, by reason (queue_full: LiveKit too slow; send_failed: LiveKit refused or unreachable)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const queue: Array<{ room: string; payload: Uint8Array }> = [];
  new Gauge({
    name: 'showwire_room_relay_queue_depth',
    help: 'Events waiting to be relayed into LiveKit rooms',
    registers: [registry],
    collect() {
      this.set(queue.length);
    },
  });
  const encoder = new TextEncoder();
  let pumping = false;
  let closed = false;
  let lastWarn = 0;

  function warn(error: unknown) {
    // One line per 10 s at most: a LiveKit that is down must not flood the log either.
    if (Date.now() - lastWarn < 10_000) return;
    lastWarn = Date.now();
    opts.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'room relay: LiveKit did not take an event (dropped)');
  }

  async function pump() {
    pumping = true;
    while (queue.length > 0 && !closed) {
      const item = queue.shift()!;
      try {
        await opts.send(item.room, item.payload);
        sent.inc();
      } catch (error) {
        dropped.inc({ reason: 'send_failed' });
        warn(error);
      }
    }
    pumping = false;
  }

  /** Log listener: queues the relayed types (never throws, never waits). */
  function onRecords(records: AppendedRecord[]): void {
    if (closed) return;
    for (const r of records) {
      if (!opts.types.has(r.type)) continue;
      if (queue.length >= opts.maxQueue) {
        dropped.inc({ reason: 'queue_full' });
        warn(new Error(`relay queue full (${opts.maxQueue})`));
        continue;
      }
      queue.push({ room: r.show, payload: encoder.encode(r.json) });
    }
    if (!pumping && queue.length > 0) void pump();
  }

  return {
    onRecords,
    close() {
      closed = true;
      queue.length = 0;
    },
    depth: () => queue.length,
  };
}
