import { z } from 'zod';
import { showId } from './names.js';

/**
 * The participant attribute the hub puts on the LiveKit tokens it mints (`host` or `viewer`), so
 * whoever is in the room (the agent above all) can tell the show's host from its viewers.
 */
export const PARTICIPANT_ROLE_ATTRIBUTE = 'showwire.role';

/** A LiveKit participant identity (the participant name of the live streaming doc). */
const identity = z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters');
const agentName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'must be 1-128 letters, digits, "_", ".", "-"');

/**
 * `POST /api/streaming/token` body. `role` (or the doc clients' `isHost`) picks a host token
 * (publish, roomAdmin, roomCreate) or a viewer token (subscribe only); viewer by default.
 */
export const streamingTokenBody = z.object({
  roomName: showId,
  participantName: identity,
  role: z.enum(['host', 'viewer']).optional(),
  isHost: z.boolean().optional(),
});
export type StreamingTokenBody = z.input<typeof streamingTokenBody>;

export const streamingTokenResponse = z.object({
  /** LiveKit access token (JWT) for `url`. */
  token: z.string(),
  /** LiveKit signal URL (ws:// or wss://). */
  url: z.string(),
  roomName: z.string(),
  identity: z.string(),
  role: z.enum(['host', 'viewer']),
  /** Hub token for this show's stream: host role for hosts, viewer role for viewers. */
  hubToken: z.string(),
  /** Epoch seconds when both tokens expire. */
  expiresAt: z.number(),
});
export type StreamingTokenResponse = z.infer<typeof streamingTokenResponse>;

/** `GET|POST /api/livekit/token` (integration audit, LiveKit setup): `admin` means host grants. */
export const livekitTokenQuery = z.object({
  room: showId,
  username: identity,
  admin: z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
    .transform((v) => v === true || v === 'true' || v === '1')
    .optional(),
});
export type LivekitTokenQuery = z.input<typeof livekitTokenQuery>;

export const livekitTokenResponse = z.object({ token: z.string(), url: z.string() });
export type LivekitTokenResponse = z.infer<typeof livekitTokenResponse>;

/** What the hub stores as a room's LiveKit metadata (a JSON string on the room). */
export const roomMetadata = z.object({
  title: z.string().max(300, 'must be at most 300 characters').optional(),
  thumbnailUrl: z.string().max(2048, 'must be at most 2048 characters').optional(),
});
export type RoomMetadata = z.infer<typeof roomMetadata>;

export const roomParams = z.object({ roomName: showId });

/** `PUT /api/streaming/rooms/:roomName/metadata` body. */
export const roomMetadataBody = roomMetadata;

export const liveRoom = z.object({
  roomName: z.string(),
  /** Parsed metadata; `{}` when the room has none or it is not JSON. */
  metadata: roomMetadata,
  title: z.string().optional(),
  thumbnailUrl: z.string().optional(),
  numParticipants: z.number(),
  /** Epoch seconds. */
  creationTime: z.number(),
});
export type LiveRoom = z.infer<typeof liveRoom>;

export const liveRoomsResponse = z.object({ rooms: z.array(liveRoom) });
export type LiveRoomsResponse = z.infer<typeof liveRoomsResponse>;

/** `PUT /api/streaming/rooms/:roomName/metadata` answer: the room's metadata after the merge. */
export const roomMetadataResponse = z.object({ roomName: z.string(), metadata: roomMetadata });
/** `POST /api/streaming/rooms/:roomName/end` answer. */
export const roomEndedResponse = z.object({ roomName: z.string(), ended: z.literal(true) });

/** `POST /api/streaming/dispatch-agent` and `POST /api/agent/start` body (all optional for the latter). */
export const dispatchAgentBody = z.object({
  roomName: showId,
  /** Defaults to the hub's AGENT_NAME. */
  agentName: agentName.optional(),
  /** Job metadata for the agent: a string is passed as is, anything else as JSON. */
  metadata: z.union([z.string().max(64 * 1024), z.record(z.string(), z.unknown())]).optional(),
});
export type DispatchAgentBody = z.input<typeof dispatchAgentBody>;

export const dispatchAgentResponse = z.object({ dispatchId: z.string(), roomName: z.string(), agentName: z.string() });
export type DispatchAgentResponse = z.infer<typeof dispatchAgentResponse>;

/** `POST /api/streaming/upload-thumbnail` body: a data URL or raw base64 of a JPEG, PNG or WebP. */
export const uploadThumbnailBody = z.object({
  image: z.string().min(1, 'must not be empty'),
  /** Optional room to set the thumbnail on (updates its metadata). */
  roomName: showId.optional(),
});
export type UploadThumbnailBody = z.input<typeof uploadThumbnailBody>;

export const uploadThumbnailResponse = z.object({
  /** Path the hub serves the image at, e.g. `/thumbnails/3f…c1.jpg`. */
  thumbnailUrl: z.string(),
  contentType: z.enum(['image/jpeg', 'image/png', 'image/webp']),
  bytes: z.number().int(),
});
export type UploadThumbnailResponse = z.infer<typeof uploadThumbnailResponse>;
