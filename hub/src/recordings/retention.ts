import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

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
