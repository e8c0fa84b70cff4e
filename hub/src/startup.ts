import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import { StoreUnavailableError } from './log/event-log.js';

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
  /** HUB_STORE names a Redis the hub cannot reach (or that does not answer). */
  storeUnreachable: 7,
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
    makeDirs(dir);
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new StartupError(EXIT.dataDir, `HUB_DATA_DIR=${dir} is not a directory the hub can write (${reason}); point HUB_DATA_DIR at one it may create and write, or fix its owner and permissions`);
  }
}

/** A SQLite error saying the file is not a database, or a database damaged inside. */
const isCorrupt = (error: unknown) => {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'));
};

/** What a corrupt events.db tells the operator, whether the open or a later read found it. */
const corruptLog = (file: string, error: unknown) =>
  new StartupError(EXIT.corruptLog, `the event log ${file} is not a readable SQLite database (${(error as Error).message}); restore it from a backup, or move it (and its -wal, -shm files) away to start an empty log`);

/** A Redis URL without its password, fit for a message. */
const redactedUrl = (url: string) => {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return 'HUB_STORE';
  }
};

/**
 * Any failure while the hub starts, in the operator's terms where one is known: a database damaged
 * past its first page (found by the first reads, after the open), a Redis that cannot be reached.
 * Anything else is left as it is (exit 1 with its stack).
 */
export function startupFailure(error: unknown, where: { logFile: string; store: string }): unknown {
  if (error instanceof StartupError) return error;
  if (isCorrupt(error)) return corruptLog(where.logFile, error);
  if (where.store !== 'sqlite' && error instanceof StoreUnavailableError) {
    const cause = (error.cause as Error | undefined)?.message ?? error.message;
    return new StartupError(EXIT.storeUnreachable, `the Redis of HUB_STORE=${redactedUrl(where.store)} cannot be reached (${cause}); start it, or point HUB_STORE at one that answers`);
  }
  return error;
}

/**
 * `mkdir -p`, one level at a time. Node's recursive mkdir loops forever where mkdir answers
 * ENOENT below a directory that exists (anything under /proc), which hung the start.
 */
function makeDirs(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) makeDirs(parent);
  try {
    mkdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** Opens the SQLite log, turning "this is not a database" into an error an operator can act on. */
export function openLogChecked<T>(file: string, open: (file: string) => T): T {
  try {
    return open(file);
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (isCorrupt(error)) throw corruptLog(file, error);
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
