import { z } from 'zod';
import { zodIssues } from '@showwire/protocol';
import { DEFAULT_SCHEDULE as DEFAULT_WEBHOOK_SCHEDULE, parseSchedule } from './webhooks/schedule.js';

const bool = z.enum(['true', 'false', '1', '0', 'on', 'off']).transform((v) => v === 'true' || v === '1' || v === 'on');
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
const list = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

/**
 * Every setting the hub reads, validated at start: a bad value stops the start with a message
 * naming the variable. `.env.example` lists them all with a comment each.
 */
export const schema = z.object({
  /** TCP port the hub listens on; 0 picks a free one (printed at start). */
  PORT: int(0, 65535).default(8080),
  /** Address the hub listens on; 0.0.0.0 accepts other machines (keep 127.0.0.1 behind a proxy). */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Where the SQLite log, the generated secret and thumbnails live. */
  HUB_DATA_DIR: z.string().min(1).default('./data'),
  /** HS256 key for hub tokens; generated and kept in HUB_DATA_DIR when absent. */
  HUB_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** `off` opens every route to anyone: local tinkering only. */
  HUB_AUTH: z.enum(['on', 'off']).default('on'),
  /** Origins allowed to call the hub from a browser, comma-separated; empty means same-origin only. */
  HUB_CORS_ORIGINS: list.default([]),
  /** Milliseconds between SSE heartbeats (id-less, so they never move a resume point). */
  HUB_HEARTBEAT_MS: int(100, 3_600_000).default(15_000),
  /**
   * The event log: `sqlite` (embedded, in HUB_DATA_DIR) or `redis://…` / `rediss://…` (Redis
   * Streams, shared by any number of hubs; docs/redis.md).
   */
  HUB_STORE: z
    .string()
    .regex(/^(sqlite|rediss?:\/\/.+)$/, 'must be "sqlite" or a redis:// or rediss:// URL')
    .default('sqlite'),
  /** Prefix of every Redis key; keep the `{…}` hash tag (one Cluster slot, so the log's scripts stay atomic). */
  HUB_REDIS_PREFIX: z
    .string()
    .regex(/^\{[^{}]+\}/, 'must start with a {hash tag}, e.g. "{showwire}:"')
    .default('{showwire}:'),
  /**
   * With Redis: every command's deadline. A Redis that stops answering (stalled, or a network that
   * drops packets) then costs a request this long and a 503, not a hang; /readyz says so within a second.
   */
  HUB_REDIS_TIMEOUT_MS: int(50, 60_000).default(750),
  /** With Redis: a hub's presence entry lapses this long after its last refresh (refreshed every third of it), so a dead hub's watchers drop out. */
  HUB_PRESENCE_TTL_MS: int(1000, 3_600_000).default(15_000),
  /** A slow SSE client is closed (and resumes) once this many bytes or events wait for it. */
  HUB_SSE_BUFFER_BYTES: int(16 * 1024, 256 * 1024 * 1024).default(1024 * 1024),
  HUB_SSE_BUFFER_EVENTS: int(10, 1_000_000).default(1000),
  /** A resume is paced by the socket instead; a client that takes no bytes for this long mid-replay is closed. */
  HUB_SSE_REPLAY_STALL_MS: int(100, 3_600_000).default(60_000),
  /**
   * Write coalescing: a live SSE connection's frames wait up to this many milliseconds and go out
   * in one socket write (fewer syscalls and less CPU per delivery under load, at up to this much
   * added latency; docs/production.md). 0 writes each event at once.
   */
  HUB_WRITE_DELAY_MS: int(0, 1000).default(0),
  /**
   * Connections: a request head must arrive within HEADERS_TIMEOUT_MS of connecting (or of the
   * last answer on a kept-alive connection), a whole request within REQUEST_TIMEOUT_MS (slower
   * ones get a 408 and are closed); streams are refused with a 503 while MAX_CONNECTIONS are open;
   * on SIGTERM what is still open after DRAIN_TIMEOUT_MS is closed.
   */
  HUB_HEADERS_TIMEOUT_MS: int(100, 600_000).default(10_000),
  HUB_REQUEST_TIMEOUT_MS: int(100, 3_600_000).default(30_000),
  HUB_MAX_CONNECTIONS: int(1, 1_000_000).default(10_000),
  HUB_DRAIN_TIMEOUT_MS: int(0, 600_000).default(10_000),
  /**
   * NDJSON publish streams (`POST /api/shows/:show/events/stream`) open at once on this hub; one
   * more is refused with a 503. A stream lives as long as it makes progress: it is ended when no
   * byte arrives for HUB_REQUEST_TIMEOUT_MS (the whole-request deadline does not apply to it).
   */
  HUB_MAX_PUBLISH_STREAMS: int(1, 100_000).default(100),
  /** Retention: events older than this many hours, or beyond this many per show, are pruned. */
  HUB_RETENTION_HOURS: int(1, 24 * 365 * 10).default(24 * 7),
  HUB_RETENTION_PER_SHOW: int(100, 100_000_000).default(1_000_000),
  /** The search index (search.db beside the log) takes appended events in batches this often (ms), off ingest's path. */
  HUB_SEARCH_FLUSH_MS: int(1, 10_000).default(200),
  /**
   * Below this much free space (MiB) in HUB_DATA_DIR's file system the hub is unready and refuses
   * writes with 507, before the disk is full; 0 turns the check off.
   */
  HUB_MIN_FREE_MB: int(0, 1_000_000).default(64),
  /** Largest request body on ingest routes, bytes. */
  HUB_BODY_LIMIT: int(1024, 64 * 1024 * 1024).default(1024 * 1024),
  /** pino's level for the hub's JSON logs on stdout. */
  HUB_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The URL people reach the hub at, for printed links; defaults to http://HOST:PORT. */
  HUB_PUBLIC_URL: z.url().optional(),
  /** The LiveKit server (ws:// or wss://); unset, the LiveKit routes answer 503 livekit_unconfigured. */
  LIVEKIT_URL: z.string().optional(),
  /** LiveKit API key and secret (`livekit-server --dev`: devkey / secret); they also check LiveKit's webhooks. */
  LIVEKIT_API_KEY: z.string().optional(),
  LIVEKIT_API_SECRET: z.string().optional(),
  /** Lifetime of the LiveKit tokens (and the matching hub tokens) the hub mints, in seconds. */
  LIVEKIT_TOKEN_TTL_SECONDS: int(60, 30 * 24 * 3600).default(24 * 3600),
  /** Every call to LiveKit's server API gives up after this many milliseconds (then 503). */
  LIVEKIT_TIMEOUT_MS: int(100, 120_000).default(5_000),
  /** The agent name `POST /api/agent/start` and dispatch-agent use when the caller names none. */
  AGENT_NAME: z.string().min(1).default('showwire-voice-agent'),
  /**
   * Event types the hub sends into the show's LiveKit room as reliable data on topic
   * `showwire.events` (comma-separated; `none` turns the relay off).
   */
  HUB_ROOM_RELAY_TYPES: list
    .default(['product_created', 'product_added_to_show', 'show_metadata', 'viewer_joined', 'viewer_left'])
    .transform((types) => (types.length === 1 && types[0] === 'none' ? [] : types)),
  /** Relayed events waiting for LiveKit at most; beyond it new ones are dropped and counted. */
  HUB_ROOM_RELAY_QUEUE: int(1, 1_000_000).default(1000),
  /** Live sessions: most JPEG frames a second sent to a WebSocket viewer. */
  HUB_LIVE_FPS: int(1, 60).default(10),
  /** Live sessions: JPEG frames wider than this many pixels are scaled down (aspect kept). */
  HUB_LIVE_MAX_WIDTH: int(16, 7680).default(640),
  /** Live sessions: a viewer whose WebSocket holds more than this many unsent bytes misses frames until it drains. */
  HUB_LIVE_WS_BUFFER_BYTES: int(16 * 1024, 256 * 1024 * 1024).default(1024 * 1024),
  /** Live sessions: how often the host's audio level is published (`audio_level`), ms. */
  HUB_LIVE_LEVEL_INTERVAL_MS: int(200, 600_000).default(5000),
  /** Live sessions: a 10 ms audio frame louder than this (dBFS) counts as the host speaking. */
  HUB_LIVE_SPEAKING_DBFS: int(-100, 0).default(-50),
  /** Where live sessions write their recordings; default HUB_DATA_DIR/recordings. */
  HUB_RECORDINGS_DIR: z.string().min(1).optional(),
  /** Recordings older than this many days are deleted (files and listing); 0 keeps them forever. Fractions allowed. */
  /**
   * With many hubs: an S3-compatible store every hub uploads its recordings to when they close and
   * serves them from, `http(s)://KEY:SECRET@host:port/bucket[/prefix][?region=…]` (path-style).
   */
  HUB_RECORDINGS_S3_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL naming the bucket: http://KEY:SECRET@host:port/bucket' }).refine((u) => new URL(u).pathname.length > 1, 'must name the bucket in its path: http://KEY:SECRET@host:port/bucket').optional(),
  HUB_RECORDINGS_RETENTION_DAYS: z.string().regex(/^\d+(\.\d+)?$/, 'must be a number of days, 0 to keep recordings forever').transform(Number).default(0),
  /** Largest thumbnail upload, in bytes of image (not base64). */
  HUB_THUMBNAIL_MAX_BYTES: int(1024, 32 * 1024 * 1024).default(2 * 1024 * 1024),
  /** Where the built dashboard is; served at `/` when it exists. */
  HUB_DASHBOARD_DIR: z.string().optional(),
  /** Behind a proxy: take the client's IP from X-Forwarded-For (rate limits, logs). */
  HUB_TRUST_PROXY: bool.default(false),
  /**
   * Longest token lifetime the hub accepts, in days: a token whose `exp` is further away is
   * refused (401) even with a good signature, and none longer is minted. Fractions allowed.
   */
  HUB_TOKEN_MAX_DAYS: z.coerce.number().positive('must be more than 0').max(3650).default(30),
  /** Webhooks may reach private, loopback and link-local addresses (development and tests only: SSRF). */
  HUB_WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  /** Waits before each webhook retry, e.g. "5s,5m,30m,2h" (bare numbers are ms); the first attempt is immediate. */
  HUB_WEBHOOK_SCHEDULE: z
    .string()
    .default(DEFAULT_WEBHOOK_SCHEDULE)
    .transform((s, ctx) => {
      const parsed = parseSchedule(s);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
      return typeof parsed === 'string' ? z.NEVER : parsed;
    }),
  /** Each retry wait is stretched by a random 0..this fraction, so failures don't retry in lockstep. */
  HUB_WEBHOOK_JITTER: z.coerce.number().min(0).max(1).default(0.2),
  /** Whole-request timeout of one webhook attempt, ms. */
  HUB_WEBHOOK_TIMEOUT_MS: int(100, 120_000).default(15_000),
  /** Webhook requests in flight at once, per endpoint and in total. */
  HUB_WEBHOOK_ENDPOINT_CONCURRENCY: int(1, 1000).default(8),
  HUB_WEBHOOK_CONCURRENCY: int(1, 10_000).default(64),
  /**
   * Circuit breaker per endpoint: this many failed attempts in a row (timeout, refused, 5xx, 429)
   * pause its attempts for the cooldown, then one probe; each failed probe doubles the pause (up
   * to 10 minutes, or the cooldown if longer). Its deliveries wait meanwhile; none is lost.
   */
  HUB_WEBHOOK_BREAKER_FAILURES: int(1, 10_000).default(5),
  HUB_WEBHOOK_BREAKER_COOLDOWN_MS: int(100, 3_600_000).default(30_000),
  /** An endpoint whose every attempt failed for this many days (fractions allowed) is disabled. */
  HUB_WEBHOOK_DISABLE_AFTER_DAYS: z.coerce.number().positive().max(365).default(5),
  /**
   * Rate limits, counted per HUB_RATE_LIMIT_WINDOW_MS window; 0 turns one off. The defaults are
   * generous (a load test from one machine stays under them); tighten them in production.
   * INGEST is per token on the ingest routes, INGEST_IP per client IP on the same routes,
   * TOKENS is per token and per IP on `POST /api/auth/tokens`.
   */
  HUB_RATE_LIMIT_WINDOW_MS: int(100, 3_600_000).default(10_000),
  HUB_RATE_LIMIT_INGEST: int(0, 100_000_000).default(5_000),
  HUB_RATE_LIMIT_INGEST_IP: int(0, 100_000_000).default(10_000),
  HUB_RATE_LIMIT_TOKENS: int(0, 100_000_000).default(60),
  /** A cart add holds its items this many minutes (fractions allowed), unless a remove or an order settles them first. */
  HUB_RESERVATION_MINUTES: z.coerce.number().positive('must be more than 0').max(7 * 24 * 60).default(15),
  /** How often expired reservations are dropped from memory (what `DELETE /api/reservations/cleanup` does), seconds. */
  HUB_RESERVATION_CLEANUP_SECONDS: int(1, 24 * 3600).default(60),
  /**
   * Alert rules (docs/supervision.md), evaluated by the hub on the event stream; 0 turns a
   * rule off. Times in ms. AGENT_SILENT: the host's final utterance unanswered this long (agent
   * not paused). LATENCY_P95_MS: rolling p95 e2eMs over the last LATENCY_TURNS turns above this,
   * once LATENCY_MIN_TURNS turns have one. TOOL_FAILURES: this many failed tool calls within
   * TOOL_FAILURE_WINDOW_MS. STREAM_STALLED: a live show with no events this long. AGENT_MISSING:
   * a live show without an agent session this long. HOST_SILENT: no host speech in the room
   * monitor's audio levels this long (while it reports). WEBHOOK_FAILING: an endpoint failing every delivery this long.
   * TICK_MS: how often the time-based rules are checked.
   */
  HUB_ALERT_AGENT_SILENT_MS: int(0, 86_400_000).default(15_000),
  HUB_ALERT_LATENCY_P95_MS: int(0, 3_600_000).default(3_000),
  HUB_ALERT_LATENCY_MIN_TURNS: int(1, 1000).default(5),
  HUB_ALERT_LATENCY_TURNS: int(1, 1000).default(20),
  HUB_ALERT_TOOL_FAILURES: int(0, 1000).default(3),
  HUB_ALERT_TOOL_FAILURE_WINDOW_MS: int(1, 86_400_000).default(300_000),
  HUB_ALERT_STREAM_STALLED_MS: int(0, 86_400_000).default(60_000),
  HUB_ALERT_AGENT_MISSING_MS: int(0, 86_400_000).default(30_000),
  HUB_ALERT_HOST_SILENT_MS: int(0, 86_400_000).default(120_000),
  HUB_ALERT_WEBHOOK_FAILING_MS: int(0, 30 * 86_400_000).default(600_000),
  HUB_ALERT_TICK_MS: int(50, 600_000).default(1_000),
  /** `POST /api/auth/refresh` renews a token up to this many hours after the session's first sign-in. */
  HUB_SESSION_MAX_HOURS: int(1, 24 * 365).default(12),
}).superRefine((c, ctx) => {
  // The hub tokens minted beside LiveKit tokens live as long; the hub must accept its own tokens.
  if (c.LIVEKIT_TOKEN_TTL_SECONDS > c.HUB_TOKEN_MAX_DAYS * 86400) {
    ctx.addIssue({ code: 'custom', path: ['LIVEKIT_TOKEN_TTL_SECONDS'], message: `must be at most HUB_TOKEN_MAX_DAYS (${c.HUB_TOKEN_MAX_DAYS} days = ${c.HUB_TOKEN_MAX_DAYS * 86400} s)` });
  }
  // Every hub on one Redis must verify the same tokens: a secret generated per data dir would differ.
  if (c.HUB_STORE !== 'sqlite' && c.HUB_SECRET === undefined) {
    ctx.addIssue({ code: 'custom', path: ['HUB_SECRET'], message: 'is required with HUB_STORE=redis (every hub must share it)' });
  }
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings come from `.env` files with `KEY=`; treat them as unset.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  // Every problem at once, one a line: whoever starts the hub fixes them all in one go.
  if (!parsed.success) {
    throw new ConfigError(`invalid configuration:\n${zodIssues(parsed.error).map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
  }
  // Node refuses a head timeout longer than the whole request's.
  if (parsed.data.HUB_HEADERS_TIMEOUT_MS > parsed.data.HUB_REQUEST_TIMEOUT_MS) {
    throw new ConfigError(`invalid configuration:\n  HUB_HEADERS_TIMEOUT_MS: must be at most HUB_REQUEST_TIMEOUT_MS (${parsed.data.HUB_REQUEST_TIMEOUT_MS})`);
  }
  return parsed.data;
}
