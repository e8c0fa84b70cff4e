import { mkdirSync } from 'node:fs';
import type { FastifyBaseLogger } from 'fastify';
import type { RecordingFile } from '@showwire/protocol';
import type { Config } from '../config.js';
import { recordingsDir } from './catalogue.js';
import { pruneRecordings } from './retention.js';
import type { S3Store } from './s3-store.js';

/** Where recordings are kept (see createRecordingStorage). */
export interface RecordingStorage {
  /** This hub's recordings directory (a setting PUT /api/config may change). */
  readonly dir: string;
  /** The S3-compatible store, when HUB_RECORDINGS_S3_URL is set. */
  readonly s3: S3Store | undefined;
  /** Recordings announced before this (epoch seconds) are past retention. */
  keptSince: () => number;
  /** Makes a closed recording's files (in `from`: where it was recorded) available to every hub (uploads them, with S3); resolves once they are. */
  keep(from: string, files: RecordingFile[]): Promise<void>;
  close(): void;
}

/**
 * Where recordings are kept: the recordings directory of the hub that recorded them and, with
 * HUB_RECORDINGS_S3_URL, an S3-compatible store every hub can read. Retention
 * (HUB_RECORDINGS_RETENTION_DAYS) prunes both, hourly.
 */
export async function createRecordingStorage(config: Config, logger: FastifyBaseLogger): Promise<RecordingStorage> {
  // Read when used: PUT /api/config may move it.
  const dir = () => recordingsDir(config);
  mkdirSync(dir(), { recursive: true });
  // The AWS SDK costs ~6 MB of heap once loaded: only a hub that uses S3 loads it.
  const s3: S3Store | undefined = config.HUB_RECORDINGS_S3_URL ? (await import('./s3-store.js')).createS3Store(config.HUB_RECORDINGS_S3_URL) : undefined;
  const days = config.HUB_RECORDINGS_RETENTION_DAYS;

  async function prune(): Promise<void> {
    const before = Date.now() - days * 86_400_000;
    const local = await pruneRecordings(dir(), before);
    const remote = s3 ? await s3.pruneBefore(before) : [];
    if (local.length || remote.length) logger.info({ local, remote }, 'recording retention deleted files');
  }
  const runPrune = () => void prune().catch((error: unknown) => logger.error({ err: error }, 'recording retention failed'));
  let timer: NodeJS.Timeout | undefined;
  if (days > 0) {
    runPrune();
    timer = setInterval(runPrune, 3_600_000);
    timer.unref();
  }

  return {
    get dir() {
      return dir();
    },
    s3,
    keptSince: () => (days > 0 ? Date.now() / 1000 - days * 86_400 : 0),
    async keep(from: string, files: RecordingFile[]): Promise<void> {
      await s3?.put(from, files);
    },
    close(): void {
      clearInterval(timer);
      s3?.close();
    },
  };
}
