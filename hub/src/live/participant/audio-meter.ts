/** Quietest level reported, dBFS: digital silence has no logarithm. */
export const FLOOR_DBFS = -100;

const FULL_SCALE_SQ = 32768 * 32768;

/** The level of 16-bit samples in dBFS (a full-scale square wave is 0), floored at FLOOR_DBFS. */
export function dbfs(sumSquares: number, samples: number): number {
  if (samples === 0 || sumSquares === 0) return FLOOR_DBFS;
  return Math.max(FLOOR_DBFS, Math.min(0, 10 * Math.log10(sumSquares / samples / FULL_SCALE_SQ)));
}

interface LevelWindow {
  speakingFraction: number;
  levelDbfs: number;
  windowMs: number;
}

/**
 * Measures a participant's audio over wall-clock windows: the share of the window whose 10 ms
 * frames were louder than `speakingDbfs`, and the window's mean level. Time with no frames at all
 * (a muted or departed host) counts as silence, so the level falls whether the host goes quiet or
 * the track stops.
 */
export function createAudioMeter(opts: { sampleRate: number; speakingDbfs: number; now?: () => number }) {
  const now = opts.now ?? (() => performance.now());
  let windowStart = now();
  let sumSquares = 0;
  let speakingSamples = 0;

  return {
    /** Adds one frame of 16-bit samples. */
    add(samples: Int16Array): void {
      let sq = 0;
      for (let i = 0; i < samples.length; i++) sq += samples[i]! * samples[i]!;
      sumSquares += sq;
      if (dbfs(sq, samples.length) > opts.speakingDbfs) speakingSamples += samples.length;
    },
    /** Closes the current window and answers its figures. */
    take(): LevelWindow {
      const t = now();
      const windowMs = Math.max(1, t - windowStart);
      const expected = (windowMs / 1000) * opts.sampleRate;
      const out = {
        speakingFraction: Math.round(Math.min(1, speakingSamples / expected) * 1000) / 1000,
        levelDbfs: Math.round(dbfs(sumSquares, expected) * 10) / 10,
        windowMs: Math.round(windowMs),
      };
      windowStart = t;
      sumSquares = 0;
      speakingSamples = 0;
      return out;
    },
  };
}
