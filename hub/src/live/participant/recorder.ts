import { execFile, spawn } from 'node:child_process';
import type { Writable } from 'node:stream';

/** Raw audio queued for ffmpeg at most before the recorder drops (about 2 s of 48 kHz mono). */
const MAX_AUDIO_BACKLOG = 192_000;
/** Raw video queued for ffmpeg at most (a few frames) before frames are dropped. */
const MAX_VIDEO_BACKLOG = 4 * 1024 * 1024;

/**
 * Records the host's video (raw I420, one size, timed by the wall clock as frames arrive) and
 * audio (16-bit PCM, timed by its samples) into a Matroska file with ffmpeg: H.264 + AAC, which
 * ordinary players open, and which stays readable if the hub dies mid-show. Audio that stops
 * (a muted host) is filled with silence up to the wall clock, so sound and picture stay in step.
 */
export function startRecorder(opts: { path: string; width: number; height: number; sampleRate: number; onExit?: (why: string) => void }) {
  const { path, width, height, sampleRate } = opts;
  const ff = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
      ...['-use_wallclock_as_timestamps', '1', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-i', 'pipe:0'],
      ...['-f', 's16le', '-ar', String(sampleRate), '-ac', '1', '-i', 'pipe:3'],
      ...['-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-fps_mode', 'vfr'],
      ...['-c:a', 'aac', '-b:a', '96k', '-f', 'matroska', path],
    ],
    { stdio: ['pipe', 'ignore', 'pipe', 'pipe'] },
  );
  const video = ff.stdin!;
  const audio = ff.stdio[3] as Writable;
  let stderr = '';
  ff.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  video.on('error', () => {});
  audio.on('error', () => {});
  const exited = new Promise<string>((resolve) => {
    ff.on('exit', (code, signal) => resolve(code === 0 ? '' : `ffmpeg (recording) exited ${code ?? signal}: ${stderr.trim()}`));
    ff.on('error', (err) => resolve(`ffmpeg (recording) could not start: ${err.message}`));
  });
  void exited.then((why) => why && opts.onExit?.(why));

  const started = performance.now();
  let samplesWritten = 0;
  let closing = false;
  const writeAudio = (pcm: Uint8Array) => {
    if (audio.writableLength > MAX_AUDIO_BACKLOG) return;
    audio.write(pcm);
    samplesWritten += pcm.byteLength / 2;
  };
  // Fill gaps: every 100 ms, if audio lags the wall clock by over 300 ms, write silence up to 100 ms behind it.
  const filler = setInterval(() => {
    const due = ((performance.now() - started) / 1000) * sampleRate;
    if (due - samplesWritten > 0.3 * sampleRate) writeAudio(new Uint8Array(Math.floor(due - samplesWritten - 0.1 * sampleRate) * 2));
  }, 100);

  return {
    path,
    width,
    height,
    video(i420: Uint8Array): void {
      if (closing || video.writableLength > MAX_VIDEO_BACKLOG) return;
      video.write(i420);
    },
    audio(pcm: Uint8Array): void {
      if (!closing) writeAudio(pcm);
    },
    /** Ends both inputs, waits for ffmpeg to finish the file, and answers its duration (ffprobe). */
    async close(): Promise<{ error?: string; durationSeconds?: number }> {
      closing = true;
      clearInterval(filler);
      video.end();
      audio.end();
      const error = await exited;
      if (error) return { error };
      return { durationSeconds: await probeDuration(path) };
    },
  };
}

/** A media file's duration in seconds, as ffprobe reads it; undefined when it can't. */
function probeDuration(path: string): Promise<number | undefined> {
  return new Promise((resolve) =>
    execFile('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], (err, out) => {
      const n = Number(out.trim());
      resolve(err || !Number.isFinite(n) ? undefined : n);
    }),
  );
}
