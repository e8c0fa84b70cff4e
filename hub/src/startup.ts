import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';

/**
 * The hub's exit codes, one per thing an operator can fix (docs/production.md, "Start-up errors"). A start-up
 * failure prints one line, what is wrong and what to do, and no stack trace.
 */
export const EXIT = {
  /** Anything unforeseen: the message and stack go to stderr. */
  failed: 1,
  /** A setting is invalid (each one named). */
  badSetting: 2,
  /** The hub cannot listen: the port is taken, privileged, or HOST is not this machine's. */
  cannotListen: 3,
  /** HUB_DATA_DIR cannot be created or written. */
  dataDir: 4,
  /** events.db is not a readable SQLite database. */
  corruptLog: 5,
  /** events.db is empty but this data dir held events before (ids would restart at 1). */
  emptiedLog: 6,
} as const;

/** A start-up failure meant for the operator: its exit code and one line saying what to do. */
export class StartupError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Creates HUB_DATA_DIR if needed and proves the hub may write there, before anything else touches it. */
export function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new StartupError(EXIT.dataDir, `HUB_DATA_DIR=${dir} is not a directory the hub can write (${reason}); point HUB_DATA_DIR at one it may create and write, or fix its owner and permissions`);
  }
}

/** Opens the SQLite log, turning "this is not a database" into an error an operator can act on. */
export function openLogChecked<T>(file: string, open: (file: string) => T): T {
  try {
    return open(file);
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
      throw new StartupError(EXIT.corruptLog, `the event log ${file} is not a readable SQLite database (${(error as Error).message}); restore it from a backup, or move it (and its -wal, -shm files) away to start an empty log`);
    }
    if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_IOERR')) {
      throw new StartupError(EXIT.dataDir, `the event log ${file} cannot be opened for writing (${code}); check the file's owner, permissions and the disk`);
    }
    throw error;
  }
}

/**
 * A marker beside events.db remembers the highest event id this data dir has handed out. An
 * events.db that comes back empty while the marker says there were events (deleted, replaced by an
 * empty file, a volume not mounted) would restart ids at 1, and clients resuming from their last id
 * would silently miss everything new: refuse to start instead. Deleting the marker starts a new log
 * on purpose. (The log's epoch, stored in the log, tells clients; this tells the operator.)
 */
export function guardLogHistory(db: Database.Database, dataDir: string) {
  const marker = join(dataDir, 'events.db.marker');
  const sequence = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'");
  const highest = () => sequence.get()?.seq ?? 0;
  const remembered = existsSync(marker) ? Number((JSON.parse(readFileSync(marker, 'utf8')) as { highestId?: number }).highestId ?? 0) : 0;
  const now = highest();
  if (remembered > 0 && now === 0) {
    throw new StartupError(
      EXIT.emptiedLog,
      `the event log ${join(dataDir, 'events.db')} is empty, but this data dir has handed out event ids up to ${remembered} (${marker}); restore events.db from a backup, or delete ${marker} to start a new log on purpose`,
    );
  }
  let written = Math.max(remembered, now);
  const write = () => writeFileSync(marker, JSON.stringify({ highestId: written, updatedAt: new Date().toISOString() }) + '\n');
  if (written !== remembered || !existsSync(marker)) write();
  return {
    /** Records the high-water mark: on the first event ever and at close (a crash loses at most the gap, never the "had events"). */
    update(force = false) {
      if (!force && written !== 0) return;
      const seq = highest();
      if (seq > written) {
        written = seq;
        write();
      }
    },
  };
}
