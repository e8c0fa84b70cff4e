import type { ParticipantInfo, WebhookEvent } from 'livekit-server-sdk';
import { parseEventInput, roomMetadata, SHOW_ID_PATTERN, summarize, type EventInput, type RoomMetadata } from '@showwire/protocol';
import type { Principal } from '../auth/access.js';

/** Webhooks publish as LiveKit itself: an admin over every show, with a recognisable source. */
export const LIVEKIT_PRINCIPAL: Principal = { sub: 'livekit', role: 'admin', shows: null, hub: true };

/**
 * `ParticipantInfo.Kind.STANDARD` (the enum is not re-exported by livekit-server-sdk): people on a
 * browser or app. Agents (kind AGENT), ingress, egress and SIP participants are not viewers.
 */
const KIND_STANDARD = 0 as ParticipantInfo['kind'];

/**
 * A viewer is a standard participant that may not publish. The agent has kind AGENT; the host's
 * hub-minted token has canPublish (and roomAdmin), so publish permission tells hosts apart.
 */
// Hidden participants (listen-in, live sessions) are the hub's own, not viewers.
export const isViewer = (p: ParticipantInfo) => p.kind === KIND_STANDARD && !p.permission?.canPublish && !p.permission?.hidden;

/** Room metadata is the JSON string of the live streaming doc; anything else reads as none. */
export function parseRoomMetadata(raw: string | undefined): RoomMetadata {
  if (!raw) return {};
  try {
    const r = roomMetadata.safeParse(JSON.parse(raw));
    return r.success ? r.data : {};
  } catch {
    return {};
  }
}

type ShowEvent = EventInput & { show: string };

/** An event validated by the same schema as ingest, so webhooks can't store what a POST couldn't. */
export function validateShowEvent(e: ShowEvent): ShowEvent {
  const r = parseEventInput(e);
  if (!r.ok) throw new Error(`livekit webhook produced an invalid ${e.type} event: ${summarize(r.issues)}`);
  return { ...r.value, show: e.show };
}

/**
 * The show event one LiveKit webhook stands for; a viewer event comes without its count, and
 * with the viewer whose join/leave the caller counts. `eventId` is LiveKit's event id, so a
 * retried delivery maps to the same stored event. Rooms whose names are not valid show ids, and
 * events that are not show events, map to none.
 */
export function showEventFor(ev: WebhookEvent): { event: ShowEvent; viewer?: { identity: string; change: 'joined' | 'left' } } | undefined {
  const show = ev.room?.name;
  if (!show || !SHOW_ID_PATTERN.test(show)) return undefined;
  const base = { show, eventId: `livekit:${ev.id}`, ...(ev.createdAt ? { timestamp: Number(ev.createdAt) } : {}) };
  switch (ev.event) {
    case 'room_started': {
      const { title } = parseRoomMetadata(ev.room?.metadata);
      return { event: { ...base, type: 'show_started', ...(title && { title }) } };
    }
    case 'room_finished':
      return { event: { ...base, type: 'show_ended', reason: 'livekit room finished' } };
    case 'participant_joined':
    case 'participant_left': {
      const p = ev.participant;
      if (!p || !isViewer(p)) return undefined;
      const joined = ev.event === 'participant_joined';
      return { event: { ...base, type: joined ? 'viewer_joined' : 'viewer_left', participant: p.identity }, viewer: { identity: p.identity, change: joined ? 'joined' : 'left' } };
    }
    default:
      return undefined;
  }
}
