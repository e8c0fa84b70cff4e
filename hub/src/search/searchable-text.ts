import type { HubEvent } from '@showwire/protocol';

/** What the index keeps of an event: the words to find it by, and whose side it came from. */
interface Searchable {
  text: string;
  role: 'user' | 'agent' | null;
}

type Fields = Record<string, unknown>;

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));
const join = (...parts: unknown[]) => parts.map(str).filter(Boolean).join(' ');

/**
 * The types support staff look things up by (what was said, what the agent did and what went
 * wrong, products, alerts, the staff's own actions, show titles), each with the fields worth
 * finding. Counters, levels and states carry no words and are left out, which keeps the index
 * a fraction of the log.
 */
const EXTRACTORS: Record<string, (e: Fields) => Searchable | undefined> = {
  // Interim lines are replaced by their final one: indexing both would find every sentence twice.
  transcript: (e) => (e.final === false ? undefined : { text: str(e.text), role: e.role === 'agent' ? 'agent' : 'user' }),
  // A failed call says so in words, so "create_product failed" finds it.
  tool_call: (e) => ({ text: join(e.name, e.args, e.output, e.isError ? 'failed error' : ''), role: 'agent' }),
  agent_error: (e) => ({ text: join(e.message, e.code, 'error'), role: 'agent' }),
  agent_ready: (e) => ({ text: str(e.message), role: 'agent' }),
  agent_session_closed: (e) => ({ text: str(e.reason), role: 'agent' }),
  product_created: (e) => {
    const p = (e.product ?? {}) as Fields;
    return { text: join(p.name, p.description, p.id, p.currency), role: null };
  },
  alert_raised: (e) => ({ text: join(e.rule, e.severity, e.message), role: null }),
  alert_resolved: (e) => ({ text: join(e.message), role: null }),
  alert_acknowledged: (e) => ({ text: join(e.by), role: null }),
  control: (e) => ({ text: join(e.action, e.by, e.text, e.error, e.ok === false ? 'failed' : ''), role: null }),
  show_started: (e) => ({ text: str(e.title), role: null }),
  show_metadata: (e) => ({ text: str(e.title), role: null }),
  show_ended: (e) => ({ text: str(e.reason), role: null }),
};

/** True for the types the index holds: the others are not even handed to it. */
export const isSearchableType = (type: string) => Object.hasOwn(EXTRACTORS, type);

/** The event's words, or undefined when there is nothing to find it by. */
export function searchableOf(event: HubEvent): Searchable | undefined {
  const found = EXTRACTORS[event.type]?.(event as unknown as Fields);
  return found && found.text.trim() ? found : undefined;
}
