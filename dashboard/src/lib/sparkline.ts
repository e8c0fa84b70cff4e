/**
 * SVG polyline points for `[time, value]` samples, oldest first, scaled into a `width`×`height`
 * box (y grows downwards, zero at the bottom). A single sample draws a flat line.
 */
export function sparklinePoints(samples: ReadonlyArray<readonly [number, number]>, width: number, height: number, pad = 2): string {
  if (samples.length === 0) return '';
  const t0 = samples[0]![0];
  const t1 = samples.at(-1)![0];
  const max = Math.max(1, ...samples.map(([, v]) => v));
  const x = (t: number) => (t1 === t0 ? 0 : ((t - t0) / (t1 - t0)) * width);
  const y = (v: number) => pad + (1 - v / max) * (height - 2 * pad);
  const pts = samples.map(([t, v]) => `${round(x(t))},${round(y(v))}`);
  if (samples.length === 1) pts.push(`${width},${round(y(samples[0]![1]))}`);
  return pts.join(' ');
}

const round = (n: number) => Math.round(n * 10) / 10;
