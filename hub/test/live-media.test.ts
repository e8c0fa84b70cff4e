import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import jpeg from 'jpeg-js';
import { createAudioMeter, dbfs, FLOOR_DBFS } from '../src/live/participant/audio-meter.js';
import { jpegSplitter } from '../src/live/participant/jpeg-encoder.js';

describe('live session media pieces', () => {
  it('splits an MJPEG byte stream into whole images whatever the chunk boundaries', () => {
    // Three real JPEGs from ffmpeg (test pattern), cut into chunks that split markers in half.
    const mjpeg = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=5', '-frames:v', '3', '-c:v', 'mjpeg', '-f', 'image2pipe', 'pipe:1']);
    const images: Buffer[] = [];
    const split = jpegSplitter((img) => images.push(img));
    for (let i = 0; i < mjpeg.length; i += 7) split(mjpeg.subarray(i, i + 7));
    assert.equal(images.length, 3);
    assert.equal(Buffer.concat(images).length, mjpeg.length, 'no byte lost or repeated');
    for (const img of images) {
      const decoded = jpeg.decode(img);
      assert.deepEqual([decoded.width, decoded.height], [64, 48]);
    }
  });

  it('measures speech share and level over wall-clock windows, missing audio counting as silence', () => {
    let t = 0;
    const meter = createAudioMeter({ sampleRate: 48_000, speakingDbfs: -50, now: () => t });
    const tone = new Int16Array(480).map((_, i) => Math.round(16_384 * Math.sin((2 * Math.PI * 440 * i) / 48_000)));
    // 1 s window: 50 frames of tone (0.5 s), then nothing arrives for the other half.
    for (let f = 0; f < 50; f++) meter.add(tone);
    t = 1000;
    const half = meter.take();
    assert.equal(half.speakingFraction, 0.5);
    // A half-scale sine is -9 dBFS; half of the window silent takes 3 dB off.
    assert.ok(Math.abs(half.levelDbfs - -12) < 0.2, String(half.levelDbfs));
    assert.equal(half.windowMs, 1000);
    t = 2000;
    const silent = meter.take();
    assert.deepEqual([silent.speakingFraction, silent.levelDbfs], [0, FLOOR_DBFS]);
    assert.equal(dbfs(0, 480), FLOOR_DBFS);
  });
});
