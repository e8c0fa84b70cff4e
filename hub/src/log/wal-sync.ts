import fs from 'node:fs';
import { dirname } from 'node:path';

/**
 * The fsync of the SQLite log's appends, off the event loop. An append commits its transaction
 * on the main thread with `synchronous=NORMAL` (in WAL mode: the frames are written to the WAL,
 * not yet synced), then `fdatasync` of the WAL file runs in libuv's thread pool. When it returns,
 * every frame written before it began is on disk, the commit frame of that transaction included,
 * and recovery after a power loss replays the WAL up to the last valid commit frame: the
 * transaction is durable, exactly as if SQLite had synced it itself (`synchronous=FULL` syncs the
 * same file at the same point). Only then does the log answer the appends and tell its listeners,
 * and reads stop at the last synced id, so nothing of a transaction whose sync is still running
 * is seen by anyone.
 *
 * The WAL keeps its inode while the hub holds the database open (a checkpoint rewinds it, SQLite
 * deletes it only when the last connection closes), so one descriptor serves for the log's life;
 * the directory is synced once when it is opened, so the file's own entry is on disk too.
 */
export function createWalSync(dbFile: string) {
  let fd: number | undefined;
  let running: Promise<void> | undefined;
  let waiting = new Set<() => void>();

  function descriptor(): number {
    if (fd !== undefined) return fd;
    fd = fs.openSync(`${dbFile}-wal`, 'r');
    const dir = fs.openSync(dirname(dbFile), 'r');
    try {
      fs.fsyncSync(dir);
    } finally {
      fs.closeSync(dir);
    }
    return fd;
  }

  return {
    /** True while a sync runs: what was committed before it is not durable yet. */
    get running(): boolean {
      return running !== undefined;
    },
    /**
     * Syncs what was written so far; `done` gets the outcome, then those waiting for durability
     * run, then `next` (the next commit): all in one callback, so the waiting run while everything
     * committed is durable.
     */
    start(done: (error: Error | null) => void, next: () => void): void {
      if (running) throw new Error('a WAL sync is already running');
      let file: number;
      try {
        file = descriptor();
      } catch (error) {
        done(error as Error);
        return next();
      }
      running = new Promise<void>((resolve) =>
        fs.fdatasync(file, (error) => {
          running = undefined;
          resolve();
          done(error);
          const now = waiting;
          waiting = new Set();
          for (const run of now) run();
          next();
        }),
      );
    },
    /** Runs `run` once the running sync is over (true), or answers false when none runs: all that is committed is durable. */
    afterSync(run: () => void): boolean {
      if (!running) return false;
      waiting.add(run);
      return true;
    },
    /** Resolves when no sync runs. */
    idle: (): Promise<void> => running ?? Promise.resolve(),
    close(): void {
      if (fd !== undefined) fs.closeSync(fd);
      fd = undefined;
    },
  };
}
