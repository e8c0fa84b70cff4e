import { statfsSync, statSync } from 'node:fs';
import { HttpError } from '../errors.js';

/** A file's identity: a deleted and re-created file (or directory) has another. */
const identity = (path: string) => {
  const s = statSync(path);
  return `${s.dev}:${s.ino}`;
};

/** The SQLite file's disk checks around every append (see createStorageGuard). */
export interface StorageGuard {
  /** Before an append: throws the refusal (503 gone, 507 low on space) when the log must not take it. */
  assertWritable(): void;
  /** After an append committed: a log deleted meanwhile means the events are already lost. */
  assertStillThere(): void;
  /** An append failed: answers the error to send (or undefined when it is not the storage's). */
  failed(error: unknown): HttpError | undefined;
  succeeded(): void;
  /** Why the hub should not get traffic that writes, or undefined when it can take it. */
  unreadyReason(): string | undefined;
}

/**
 * Whether the log's storage can take a write, from what real writes and the file system say
 * (a probe that rewrites one row in an existing page said "ready" on a full disk):
 * - **free space**: below `minFreeBytes` in the data directory's file system, writes are refused
 *   with 507 *before* the disk is full, and the hub is unready;
 * - **a vanished data directory**: SQLite keeps writing to its open, deleted file, so a write
 *   would be acknowledged and gone at the next start. The directory's and the log file's
 *   identities are checked at every write; once gone, writes are refused (503) until a restart;
 * - **the last write**: a failed append (SQLITE_FULL, an I/O error) makes the hub unready until
 *   an append succeeds (a 2xx proves the log takes writes again).
 * Checked synchronously per append: two stat calls and one statfs, a few microseconds.
 */
export function createStorageGuard(opts: { dataDir: string; logFile: string; minFreeBytes: number }): StorageGuard {
  const { dataDir, logFile, minFreeBytes } = opts;
  const dirId = identity(dataDir);
  const fileId = identity(logFile);
  let vanished = false;
  let lastFailure: { code: string; at: number } | undefined;

  function present(): boolean {
    if (vanished) return false;
    try {
      vanished = identity(dataDir) !== dirId || identity(logFile) !== fileId;
    } catch {
      vanished = true;
    }
    return !vanished;
  }

  function freeBytes(): number | undefined {
    try {
      const s = statfsSync(dataDir);
      return s.bavail * s.bsize;
    } catch {
      return undefined;
    }
  }

  const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);
  const goneMessage = () =>
    `the hub's data directory (${dataDir}) or its event log was deleted while the hub ran: writes are refused (they would be lost); restore the directory and restart the hub`;
  const lowSpace = (): string | undefined => {
    if (minFreeBytes <= 0) return undefined;
    const free = freeBytes();
    return free !== undefined && free < minFreeBytes
      ? `the hub's data directory (${dataDir}) has ${mb(free)} MB free, below HUB_MIN_FREE_MB (${mb(minFreeBytes)} MB): writes are refused until space is freed`
      : undefined;
  };

  return {
    /** Before an append: throws the refusal (503 gone, 507 low on space) when the log must not take it. */
    assertWritable(): void {
      if (!present()) throw new HttpError('storage_unavailable', goneMessage(), undefined, { 'Retry-After': '5' });
      const low = lowSpace();
      if (low) throw new HttpError('insufficient_storage', low);
    },
    /** After an append committed: a log deleted meanwhile means the events are already lost. */
    assertStillThere(): void {
      if (!present()) throw new HttpError('storage_unavailable', goneMessage(), undefined, { 'Retry-After': '5' });
    },
    /** An append failed: answers the error to send (or undefined when it is not the storage's). */
    failed(error: unknown): HttpError | undefined {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
      lastFailure = { code, at: Date.now() };
      if (code === 'SQLITE_FULL') {
        return new HttpError('insufficient_storage', 'the disk holding the event log is full (SQLITE_FULL): the event was not stored');
      }
      return new HttpError('storage_unavailable', `the event log failed to write (${code}): the event was not stored; retry later`, undefined, { 'Retry-After': '5' });
    },
    succeeded(): void {
      lastFailure = undefined;
    },
    /** Why the hub should not get traffic that writes, or undefined when it can take it. */
    unreadyReason(): string | undefined {
      if (!present()) return goneMessage();
      const low = lowSpace();
      if (low) return low;
      if (lastFailure) {
        return `the last write to the event log failed (${lastFailure.code}, ${new Date(lastFailure.at).toISOString()}); ready again once a write succeeds`;
      }
      return undefined;
    },
  };
}
