import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

const SOI = Buffer.from([0xff, 0xd8]);
const EOI = Buffer.from([0xff, 0xd9]);

/**
 * Splits ffmpeg's MJPEG byte stream into whole JPEG images. Inside a JPEG's entropy-coded data a
 * 0xFF byte is always followed by 0x00 (byte stuffing), so FF D9 only appears as the end marker
 * (ffmpeg writes no embedded thumbnails).
 */
export function jpegSplitter(onImage: (jpeg: Buffer) => void) {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      const start = pending.indexOf(SOI);
      if (start < 0) {
        // Keep a trailing 0xFF: it may be the first half of the next image's start marker.
        pending = pending.at(-1) === 0xff ? pending.subarray(-1) : Buffer.alloc(0);
        return;
      }
      const end = pending.indexOf(EOI, start + 2);
      if (end < 0) {
        pending = pending.subarray(start);
        return;
      }
      onImage(Buffer.from(pending.subarray(start, end + 2)));
      pending = pending.subarray(end + 2);
    }
  };
}

/**
 * One ffmpeg process turning raw I420 frames of one size into JPEGs no wider than `maxWidth`.
 * A frame offered while ffmpeg is still busy with the previous one is dropped, so a slow encoder
 * lowers the frame rate instead of growing a queue.
 */
export function startJpegEncoder(opts: { width: number; height: number; maxWidth: number; onImage: (jpeg: Buffer) => void; onExit?: (why: string) => void }) {
  const { width, height, maxWidth } = opts;
  // `-2`: the height follows the aspect ratio, rounded to an even number (what 4:2:0 JPEG wants).
  const scale = width > maxWidth ? `scale=${maxWidth}:-2,` : '';
  const ff: ChildProcessWithoutNullStreams = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
      ...['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-i', 'pipe:0'],
      // q:v 4 is about the guide's "quality 85"; full-range YUV is what baseline JPEG holds.
      ...['-vf', `${scale}format=yuvj420p`, '-c:v', 'mjpeg', '-q:v', '4', '-flush_packets', '1', '-f', 'image2pipe', 'pipe:1'],
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  ff.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  ff.stdout.on('data', jpegSplitter(opts.onImage));
  ff.stdin.on('error', () => {}); // ffmpeg gone: `exited` tells why
  let exited = false;
  ff.on('exit', (code, signal) => {
    exited = true;
    opts.onExit?.(`ffmpeg (jpeg) exited ${code ?? signal}: ${stderr.trim()}`);
  });
  ff.on('error', (err) => opts.onExit?.(`ffmpeg (jpeg) could not start: ${err.message}`));

  return {
    width,
    height,
    /** Offers one frame; answers false when it was dropped (encoder busy or gone). */
    offer(i420: Uint8Array): boolean {
      if (exited || ff.stdin.writableLength > 0) return false;
      ff.stdin.write(i420);
      return true;
    },
    close(): void {
      if (!exited) ff.stdin.end();
    },
  };
}
