import { z } from 'zod';
import { showId } from './names.js';

/**
 * A live session's recording, as the hub announces it (`recording_ready`) and lists it
 * (`GET /api/shows/:show/recordings`): the live-sessions guide's MP4 video and WAV audio, and the
 * crash-safe Matroska file they were made from, each fetched by id from `GET /api/recordings/:id`.
 */
export const RECORDING_FILE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,200}\.(mp4|wav|mkv)$/;
export const recordingFileId = z.string().regex(RECORDING_FILE_ID, 'must be a recording file id such as "show-1-2026-12-07T20-00-00-000Z.mp4"');

export const recordingFile = z.object({
  /** The id `GET /api/recordings/:id` serves it by (its file name). */
  id: recordingFileId,
  kind: z.enum(['video', 'audio', 'original']),
  contentType: z.string().max(128),
  size: z.number().int().nonnegative(),
  /** Hex SHA-256 of the file's bytes, to check a download. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type RecordingFile = z.infer<typeof recordingFile>;

export const recordingEntry = z.object({
  show: z.string(),
  /** The `recording_ready` event that announced it. */
  eventId: z.string(),
  sessionId: z.string().nullable(),
  /** When it was announced (epoch seconds). */
  receivedAt: z.number(),
  durationSeconds: z.number().nullable(),
  files: z.array(recordingFile.extend({ url: z.string() })),
});
export type RecordingEntry = z.infer<typeof recordingEntry>;

export const recordingList = z.object({ recordings: z.array(recordingEntry) });
export const recordingParams = z.object({ id: recordingFileId });
export const recordingShowParams = z.object({ show: showId });
