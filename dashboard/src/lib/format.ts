/** `1:02:03` or `2:03`: how long a show has run. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export function formatPrice(price: number, currency: string): string {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(price);
  } catch {
    return `${price.toFixed(2)} ${currency}`;
  }
}

/**
 * The one way the dashboard writes a moment: 24-hour local time to the second, and, when the day
 * is not today, the date and the zone before it (`Mon 7 Dec, 14:03:07 UTC`), so a time read
 * tomorrow, or by someone elsewhere, still says when. stream-test.html writes times the same way.
 */
export function formatClock(epochSeconds: number, now: Date = new Date()): string {
  const at = new Date(epochSeconds * 1000);
  const time = TIME.format(at);
  if (at.toDateString() === now.toDateString()) return time;
  const date = (at.getFullYear() === now.getFullYear() ? DATE : DATE_YEAR).format(at);
  const zone = ZONE.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? '';
  return `${date}, ${time} ${zone}`.trim();
}
const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const DATE = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
const DATE_YEAR = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
const ZONE = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' });

/** The one unit rule for durations measured in milliseconds: `640 ms` under a second, `1.6 s` from one on. */
export const formatMs = (v: number | undefined | null): string => (v === undefined || v === null ? '—' : v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

/** How long ago, in the largest whole unit that fits: `8 s`, `4 min`, `2 h`. */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min` : `${Math.floor(s / 3600)} h`;
}

/** A day and a time, for moments that may be days apart (search results). */
export const formatDateTime = (epochSeconds: number) => new Date(epochSeconds * 1000).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const formatCount = (n: number) => new Intl.NumberFormat().format(n);

/** A compact one-line rendering of tool arguments or output. */
export function brief(value: unknown, max = 160): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
