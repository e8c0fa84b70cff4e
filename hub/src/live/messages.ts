import type { RecordingFile } from '@showwire/protocol';

/**
 * What the hub and a live session's participant process say to each other over the IPC channel
 * (`fork` with `serialization: 'advanced'`, so media travels as bytes, not JSON).
 */

/** Everything the participant process needs, passed in its environment as JSON. */
export interface ParticipantOptions {
  url: string;
  token: string;
  room: string;
  /** Most JPEG frames a second sent to viewers. */
  fps: number;
  /** JPEG frames wider than this are scaled down (aspect kept). */
  maxWidth: number;
  /** How often an audio level is measured and reported, ms. */
  levelIntervalMs: number;
  /** A 10 ms audio frame louder than this counts as speech. */
  speakingDbfs: number;
  /** Where to record the host's audio and video (Matroska); absent: no recording. */
  recordPath?: string;
}

export const PARTICIPANT_OPTIONS_ENV = 'SHOWWIRE_LIVE_PARTICIPANT';

/** The PCM the participant sends and measures: 16-bit little-endian, mono, 48 kHz. */
export const AUDIO_SAMPLE_RATE = 48_000;
export const AUDIO_CHANNELS = 1;

export type FromParticipant =
  | { t: 'joined'; sid: string }
  | { t: 'video'; jpeg: Uint8Array }
  | { t: 'audio'; pcm: Uint8Array }
  | { t: 'level'; participant?: string; speakingFraction: number; levelDbfs: number; windowMs: number }
  | { t: 'recording'; path: string; durationSeconds?: number; files: RecordingFile[] }
  | { t: 'failed'; message: string };

export type ToParticipant = { t: 'viewers'; count: number } | { t: 'stop' };
