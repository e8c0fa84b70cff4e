import { z } from 'zod';
import { showId } from './names.js';
import { recordingFile } from './recordings.js';

/**
 * The live-sessions guide's bodies, kept field for field (snake_case included) so its frontend
 * works unchanged: a server-side participant per room relays the host's media over WebSocket and
 * may record it.
 */

/** `POST /api/live-sessions/start` */
export const liveSessionStartBody = z.object({
  room_name: showId,
  record_session: z.boolean().default(false),
});

/** `POST /api/live-sessions/stop` */
export const liveSessionStopBody = z.object({ room_name: showId });

/** `GET /api/live-sessions/ws/live/:roomName` (WebSocket) */
export const liveSessionParams = z.object({ roomName: showId });

export const liveSessionStatuses = ['starting', 'active', 'stopping', 'stopped'] as const;

/** One session as `GET /api/live-sessions/active` lists it; times are ISO 8601 (UTC). */
export const liveSession = z.object({
  id: z.number().int().positive(),
  room_name: z.string(),
  /** The LiveKit sid of the hub's participant in the room. */
  participant_sid: z.string(),
  status: z.enum(liveSessionStatuses),
  record_session: z.boolean(),
  /** Absolute path of the recording on the hub's machine, or null when not recording. */
  recording_path: z.string().nullable(),
  /** Once the recording is closed: its length and files (MP4, WAV, the original) with sizes and checksums. */
  recording: z.object({ duration_seconds: z.number().nullable(), files: z.array(recordingFile) }).nullable(),
  start_time: z.string(),
  end_time: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type LiveSession = z.infer<typeof liveSession>;

export const liveSessionStartResponse = z.object({
  success: z.literal(true),
  room_name: z.string(),
  participant_sid: z.string(),
  session_id: z.number().int().positive(),
  record_session: z.boolean(),
});

export const liveSessionStopResponse = z.object({ success: z.literal(true), room_name: z.string() });

export const liveSessionsActiveResponse = z.object({
  active_sessions: z.record(z.string(), liveSession),
  count: z.number().int().nonnegative(),
});
