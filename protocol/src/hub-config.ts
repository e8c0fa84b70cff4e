import { z } from 'zod';

/**
 * The live-sessions guide's `GET`/`PUT /api/config`, field names kept (snake_case): the LiveKit
 * server and credentials, and where recordings go. Secrets are never answered, only whether
 * they are set.
 */
export const settable = ['livekit_url', 'livekit_api_key', 'livekit_api_secret', 'recording_directory'] as const;
export type SettableName = (typeof settable)[number];

/** `PUT /api/config`: the fields to change; `null` drops the stored value, so the environment's applies again. */
export const configUpdate = z
  .object({
    livekit_url: z.url({ protocol: /^(wss?|https?)$/, error: 'must be a ws://, wss://, http:// or https:// URL' }).max(2048).nullable().optional(),
    livekit_api_key: z.string().min(1).max(256).nullable().optional(),
    livekit_api_secret: z.string().min(1).max(1024).nullable().optional(),
    recording_directory: z.string().min(1).max(1024).startsWith('/', 'must be an absolute path').nullable().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'name at least one of livekit_url, livekit_api_key, livekit_api_secret, recording_directory');
export type ConfigUpdate = z.infer<typeof configUpdate>;

/** Where a value in effect comes from: stored by `PUT /api/config` (wins), the environment, or the hub's default. */
export const configSource = z.enum(['stored', 'environment', 'default', 'unset']);

export const configView = z.object({
  livekit_url: z.string().nullable(),
  /** `set` or `unset`: the key and secret are never shown. */
  livekit_api_key: z.enum(['set', 'unset']),
  livekit_api_secret: z.enum(['set', 'unset']),
  recording_directory: z.string(),
  sources: z.object({ livekit_url: configSource, livekit_api_key: configSource, livekit_api_secret: configSource, recording_directory: configSource }),
});
export type ConfigView = z.infer<typeof configView>;
