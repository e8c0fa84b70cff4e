import { styleText } from 'node:util';
import type { StreamMessage } from './hub-client.js';

type Style = Parameters<typeof styleText>[0];
const useColor = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const paint = (style: Style, text: string) => (useColor ? styleText(style, text) : text);

const clip = (s: string, n = 100) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
/** A field of an event as text: objects as JSON, never `[object Object]`. */
const text = (v: unknown): string => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
const q = (s: unknown) => JSON.stringify(clip(text(s ?? '')));

/** The one-line gist of a known type; the rest of the fields follow in compact JSON. */
function gist(e: Record<string, unknown>): string {
  const p = e.product as Record<string, unknown> | undefined;
  switch (e.type) {
    case 'transcript':
      return `${text(e.role ?? e.participant ?? '?')}${e.final === false ? ' (partial)' : ''}: ${q(e.text)}`;
    case 'agent_state':
    case 'user_state':
      return `${text(e.oldState ?? '…')} → ${text(e.state)}`;
    case 'tool_call':
      return `${text(e.name)}(${clip(JSON.stringify(e.args ?? {}), 60)}) ${e.isError ? 'FAILED' : 'ok'} in ${text(e.durationMs)} ms`;
    case 'product_created':
      return `${text(p?.name)} ${text(p?.price)} ${text(p?.currency)} [${text(p?.id)}]`;
    case 'product_added_to_show':
      return `${text(e.productId)} → carousel`;
    case 'viewer_joined':
    case 'viewer_left':
      return `${text(e.participant ?? 'someone')}, ${text(e.viewers)} watching`;
    case 'agent_error':
      return `${e.recoverable ? 'recoverable' : 'FATAL'}: ${q(e.message)}`;
    default:
      return '';
  }
}

const ENVELOPE = new Set(['id', 'show', 'type', 'timestamp', 'receivedAt', 'source', 'eventId']);

/** `12:00:01.234 #42 show-1 transcript  agent: "Hello"` — then any fields the gist left out. */
export function prettyLine(m: StreamMessage): string {
  const e = m.data;
  const at = typeof e.timestamp === 'number' ? new Date(e.timestamp * 1000) : new Date();
  const time = at.toISOString().slice(11, 23);
  if (!m.id) return paint('yellow', `${time} ${e.type ?? 'notice'} ${JSON.stringify(e)}`);
  const g = gist(e);
  const rest = Object.fromEntries(Object.entries(e).filter(([k]) => !ENVELOPE.has(k)));
  const extra = g ? '' : ` ${clip(JSON.stringify(rest), 160)}`;
  return `${paint('gray', time)} ${paint('dim', `#${m.id}`)} ${paint('cyan', String(e.show))} ${paint('bold', String(e.type))}  ${g}${extra}`;
}
