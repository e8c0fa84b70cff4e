import { hubWrittenTypes, type EventInput } from '@showwire/protocol';
import { coversShow, type Principal } from '../auth/access.js';
import { forbidden, type HttpError } from '../errors.js';

/**
 * Types only the hub writes (protocol's `hubWrittenTypes`): its alerts, the acknowledgement and
 * control audit trail, the show summary, recordings, its notices. A forged `alert_resolved` would
 * close an open alert for good (the hub's re-raise reuses the alert's eventId), a forged `control`
 * pause would silence `agent_silent`, a forged `show_summary` would stand beside the real one.
 */
const HUB_ONLY_TYPES: ReadonlySet<string> = new Set(hubWrittenTypes);

/**
 * The eventId namespaces the hub derives its own ids from (alerts, summaries, LiveKit webhooks):
 * an event stored first under one of them would make the hub's own event a duplicate, dropped.
 */
const RESERVED_EVENT_ID_PREFIXES = ['alert_raised:', 'alert_resolved:', 'summary:', 'livekit:'] as const;

/** The eventId of the `show_summary` for the `show_ended` stored as `showEndedId`. */
export const summaryEventId = (showEndedId: string) => `summary:${showEndedId}`;

/** Roles that publish events of their own choosing to the shows their token covers. */
const PUBLISHERS: ReadonlySet<string> = new Set(['admin', 'agent', 'service']);

/**
 * Why `principal` may not write `event`, or undefined when it may. The hub's own producers (a
 * principal marked `hub`) write anything; everyone else, admins included, never writes a hub-only
 * type or a reserved eventId; a viewer writes only its own cart events; the show must be covered.
 */
export function refusal(principal: Principal, event: EventInput & { show: string }): HttpError | undefined {
  if (principal.hub) return undefined;
  if (HUB_ONLY_TYPES.has(event.type)) {
    return forbidden(`type "${event.type}" is written by the hub itself (alerts, acknowledgements, controls, summaries, notices); role "${principal.role}" cannot publish it`);
  }
  const eventId = event.eventId;
  if (eventId !== undefined && RESERVED_EVENT_ID_PREFIXES.some((p) => eventId.startsWith(p))) {
    return forbidden(`eventId "${eventId}" is in a namespace the hub keeps for its own events (${RESERVED_EVENT_ID_PREFIXES.join(', ')})`);
  }
  if (principal.role === 'viewer') {
    if (event.type !== 'cart_event') return forbidden(`role "viewer" may publish only its own cart events, not "${event.type}"`);
    const userId = (event as { userId?: unknown }).userId;
    if (userId !== principal.sub) return forbidden(`a viewer posts cart events for itself only: userId "${String(userId)}" is not this token's subject "${principal.sub}"`);
  } else if (!PUBLISHERS.has(principal.role)) {
    return forbidden(`role "${principal.role}" cannot publish events (agent, service or admin tokens can)`);
  }
  if (!coversShow(principal, event.show)) return forbidden(`this token does not cover show "${event.show}"`);
  return undefined;
}

/** Throws the first refusal of a batch: a batch is stored whole or not at all. */
export function assertMayWrite(principal: Principal, events: ReadonlyArray<EventInput & { show: string }>): void {
  for (const e of events) {
    const refused = refusal(principal, e);
    if (refused) throw refused;
  }
}
