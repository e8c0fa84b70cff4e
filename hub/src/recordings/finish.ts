import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { RecordingFile } from '@showwire/protocol';

export const CONTENT_TYPES = { mp4: 'video/mp4', wav: 'audio/wav', mkv: 'video/x-matroska' } as const;

function ffmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], (err, _out, stderr) =>
      err ? reject(new Error(`ffmpeg ${args.at(-1)}: ${stderr.trim() || err.message}`)) : resolve(),
    ),
  );
}

/** Hex SHA-256 of a file, streamed. */
function sha256Of(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (c) => hash.update(c))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

export async function describeFile(path: string, kind: RecordingFile['kind']): Promise<RecordingFile> {
  const ext = path.slice(path.lastIndexOf('.') + 1) as keyof typeof CONTENT_TYPES;
  return { id: basename(path), kind, contentType: CONTENT_TYPES[ext], size: (await stat(path)).size, sha256: await sha256Of(path) };
}

/** Writes `out` through a `.part` name: a crash never leaves a half file under the final name. */
async function produce(out: string, args: string[]): Promise<void> {
  const part = `${out}.part`;
  try {
    await ffmpeg([...args, '-f', out.endsWith('.mp4') ? 'mp4' : 'wav', part]);
    await rename(part, out);
  } catch (error) {
    await rm(part, { force: true });
    throw error;
  }
}

/**
 * The live-sessions guide's files from a closed Matroska recording: MP4 (the H.264 and AAC
 * streams copied, not re-encoded; `faststart` so a browser can play and seek before the end
 * arrives) and WAV (the audio as 16-bit PCM: AAC must be decoded for that). The original stays
 * beside them. A file ffmpeg cannot make is left out and named in `errors`.
 */
export async function finishRecording(mkv: string): Promise<{ files: RecordingFile[]; errors: string[] }> {
  const base = mkv.replace(/\.mkv$/, '');
  const errors: string[] = [];
  const files: RecordingFile[] = [];
  const made = await Promise.allSettled([
    produce(`${base}.mp4`, ['-i', mkv, '-map', '0:v:0', '-map', '0:a:0?', '-c', 'copy', '-movflags', '+faststart']).then(() => describeFile(`${base}.mp4`, 'video')),
    produce(`${base}.wav`, ['-i', mkv, '-map', '0:a:0', '-c:a', 'pcm_s16le']).then(() => describeFile(`${base}.wav`, 'audio')),
  ]);
  for (const m of made) {
    if (m.status === 'fulfilled') files.push(m.value);
    else errors.push(m.reason instanceof Error ? m.reason.message : String(m.reason));
  }
  files.push(await describeFile(mkv, 'original'));
  return { files, errors };
}
