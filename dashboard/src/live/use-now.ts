import { useEffect, useState } from 'react';

/** Hub time in epoch seconds, ticking every `everyMs` (durations and "silent for" flags). */
export function useHubNow(clockOffset: number, everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now / 1000 + clockOffset;
}
