import { sparklinePoints } from '../lib/sparkline.js';

export function Sparkline({ samples, width = 240, height = 48, label }: { samples: ReadonlyArray<readonly [number, number]>; width?: number; height?: number; label: string }) {
  const points = sparklinePoints(samples, width, height);
  return (
    <svg className="sparkline" viewBox={`0 0 ${width} ${height}`} width="100%" height={height} role="img" aria-label={label} preserveAspectRatio="none">
      {points ? <polyline points={points} fill="none" stroke="currentColor" strokeWidth="2" vectorEffect="non-scaling-stroke" /> : null}
    </svg>
  );
}
