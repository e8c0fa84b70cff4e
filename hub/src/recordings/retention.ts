import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';

/** The recording files (and leftover `.part` files) of `dir` last written before `before` (epoch ms), deleted. */
export async function pruneRecordings(dir: string, before: number): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const deleted: string[] = [];
  for (const name of names) {
    if (!/\.(mp4|wav|mkv)(\.part)?$/.test(name)) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (info && info.mtimeMs < before) {
      await rm(path, { force: true });
      deleted.push(name);
    }
  }
  return deleted;
}

/** Prunes every hour (and once now) when HUB_RECORDINGS_RETENTION_DAYS is set; answers the stop function. */
export function startRecordingRetention(dir: string, days: number, logger: FastifyBaseLogger): () => void {
  if (days <= 0) return () => {};
  const run = () =>
    pruneRecordings(dir, Date.now() - days * 86_400_000).then(
      (deleted) => deleted.length && logger.info({ deleted }, 'recording retention deleted files'),
      (error: unknown) => logger.error({ err: error }, 'recording retention failed'),
    );
  void run();
  const timer = setInterval(run, 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}
