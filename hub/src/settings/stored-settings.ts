import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { settable, type ConfigUpdate, type ConfigView, type SettableName } from '@showwire/protocol';
import type { Config } from '../config.js';
import { recordingsDir } from '../recordings/catalogue.js';

/** The setting each name of `/api/config` stands for. */
const CONFIG_KEYS = {
  livekit_url: 'LIVEKIT_URL',
  livekit_api_key: 'LIVEKIT_API_KEY',
  livekit_api_secret: 'LIVEKIT_API_SECRET',
  recording_directory: 'HUB_RECORDINGS_DIR',
} as const satisfies Record<SettableName, keyof Config>;

type Stored = Partial<Record<SettableName, string>>;

/** What `PUT /api/config` stored, from the data dir's file (embedded) or Redis (many hubs). */
interface Persistence {
  load(): Promise<Stored>;
  save(stored: Stored): Promise<void>;
  /** Calls `changed` when another hub stored new settings. */
  watch(changed: () => void): void;
  close(): Promise<void>;
}

/** The data dir's `settings.json`, written whole through a temporary file, readable by the hub's user only (it holds secrets). */
function filePersistence(dataDir: string): Persistence {
  const file = join(dataDir, 'settings.json');
  return {
    load: async () => {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as Stored;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
        throw new Error(`${file} is not readable JSON (${(error as Error).message}); fix or delete it`, { cause: error });
      }
    },
    save: async (stored) => {
      writeFileSync(`${file}.tmp`, JSON.stringify(stored, null, 2), { mode: 0o600 });
      chmodSync(`${file}.tmp`, 0o600);
      renameSync(`${file}.tmp`, file);
    },
    watch: () => {},
    close: async () => {},
  };
}

/** One Redis key every hub reads, and a pub/sub channel that tells them it changed. */
function redisPersistence(redis: Redis, prefix: string, logger: FastifyBaseLogger): Persistence {
  const key = `${prefix}settings`;
  const channel = `${prefix}settings-changed`;
  let subscriber: Redis | undefined;
  return {
    load: async () => JSON.parse((await redis.get(key)) ?? '{}') as Stored,
    save: async (stored) => {
      await redis.set(key, JSON.stringify(stored));
      await redis.publish(channel, '1');
    },
    watch(changed) {
      subscriber = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
      subscriber.on('error', () => {});
      subscriber.on('message', () => changed());
      subscriber.subscribe(channel).catch((error: unknown) => logger.error({ err: error }, 'settings: could not subscribe; changes made on other hubs apply at restart'));
    },
    close: async () => {
      subscriber?.disconnect();
    },
  };
}

/** The settings stored by `PUT /api/config`, over the environment's (see createStoredSettings). */
export interface StoredSettings {
  /** The values a change would put in effect (for validating them before they are stored). */
  candidate(update: ConfigUpdate): Record<SettableName, string | undefined>;
  /** Stores and applies a change (every hub applies it); answers the names whose value changed. */
  update(update: ConfigUpdate): Promise<SettableName[]>;
  view(): ConfigView;
  /** Calls `listener` after every change applied, this hub's or another's. */
  onChange(listener: () => void): void;
  close: () => Promise<void>;
}

/**
 * The settings `PUT /api/config` may change. The environment gives each its default; a value
 * stored by PUT wins over it (and `null` drops the stored value). Applied by writing them into
 * the hub's config object, which the LiveKit clients (rebuilt through `onChange`), live sessions
 * and recordings read when they act.
 */
export async function createStoredSettings(config: Config, deps: { redis?: { redis: Redis; prefix: string }; logger: FastifyBaseLogger }): Promise<StoredSettings> {
  const environment = Object.fromEntries(settable.map((n) => [n, config[CONFIG_KEYS[n]]])) as Record<SettableName, string | undefined>;
  const persistence = deps.redis ? redisPersistence(deps.redis.redis, deps.redis.prefix, deps.logger) : filePersistence(config.HUB_DATA_DIR);
  let stored = await persistence.load();
  const listeners = new Set<() => void>();

  function apply(next: Stored): void {
    stored = next;
    for (const n of settable) (config as Record<string, unknown>)[CONFIG_KEYS[n]] = stored[n] ?? environment[n];
    for (const l of listeners) l();
  }
  apply(stored);
  persistence.watch(() => {
    persistence.load().then(apply, (error: unknown) => deps.logger.error({ err: error }, 'settings: could not read what another hub stored'));
  });

  const source = (n: SettableName) => (stored[n] !== undefined ? 'stored' : environment[n] !== undefined ? 'environment' : n === 'recording_directory' ? 'default' : 'unset');
  const setOrNot = (v: string | undefined) => (v ? 'set' : 'unset');

  return {
    candidate(update: ConfigUpdate): Record<SettableName, string | undefined> {
      const out = {} as Record<SettableName, string | undefined>;
      for (const n of settable) out[n] = update[n] === undefined ? config[CONFIG_KEYS[n]] : (update[n] ?? environment[n]);
      return out;
    },
    async update(update: ConfigUpdate): Promise<SettableName[]> {
      const next: Stored = { ...stored };
      const changed: SettableName[] = [];
      for (const n of settable) {
        if (update[n] === undefined) continue;
        const before = config[CONFIG_KEYS[n]];
        if (update[n] === null) delete next[n];
        else next[n] = update[n];
        if ((next[n] ?? environment[n]) !== before) changed.push(n);
      }
      await persistence.save(next);
      apply(next);
      return changed;
    },
    view(): ConfigView {
      return {
        livekit_url: config.LIVEKIT_URL ?? null,
        livekit_api_key: setOrNot(config.LIVEKIT_API_KEY),
        livekit_api_secret: setOrNot(config.LIVEKIT_API_SECRET),
        recording_directory: recordingsDir(config),
        sources: Object.fromEntries(settable.map((n) => [n, source(n)])) as ConfigView['sources'],
      };
    },
    onChange(listener: () => void): void {
      listeners.add(listener);
    },
    close: () => persistence.close(),
  };
}
