import { execFileSync } from 'node:child_process';
import { finishRecording } from '@showwire/hub';

/**
 * What a live session's recorder writes, without a live session: `seconds` of ffmpeg's test
 * picture (320×240, 15 fps, H.264) and a 440 Hz tone (AAC, 48 kHz) in Matroska.
 */
export function writeTestRecording(path: string, seconds = 2): void {
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc=size=320x240:rate=15:duration=${seconds}`, '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}:sample_rate=48000`],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', 'matroska', path],
  ]);
}

/** A test recording closed the way a live session closes one: the Matroska file, then its MP4 and WAV; answers the files. */
export async function writeFinishedRecording(mkvPath: string, seconds = 2) {
  writeTestRecording(mkvPath, seconds);
  const { files, errors } = await finishRecording(mkvPath);
  if (errors.length) throw new Error(errors.join('; '));
  return files;
}
