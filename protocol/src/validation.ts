import type { z } from 'zod';
import type { Issue } from './answers.js';
import { customEventInputSchema, hubOnlyTypes, isKnownType, knownEventInputSchemas, type EventInput } from './events.js';
import { checkJsonShape } from './json-shape.js';
import { EVENT_TYPE_PATTERN } from './names.js';

/** An event's serialized size cap; custom events carry arbitrary fields, so they need one. */
export const MAX_EVENT_BYTES = 64 * 1024;
/** The most events one POST may carry. */
export const MAX_BATCH = 1000;

export function formatPath(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(body)';
}

export function zodIssues(error: z.ZodError, prefix = ''): Issue[] {
  return error.issues.map((i) => ({ path: formatPath(i.path, prefix), message: i.message }));
}

/** A one-line summary of issues, for `message`. */
export function summarize(issues: Issue[]): string {
  const head = issues.slice(0, 3).map((i) => `${i.path}: ${i.message}`).join('; ');
  return issues.length > 3 ? `${head}; and ${issues.length - 3} more` : head;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };

/**
 * Validate one incoming event. `prefix` names where it sits in the body (`[3]`), so batch
 * errors point at the event. Hub-owned fields (`id`, `receivedAt`, `source`) are dropped: a
 * client re-posting a stored event gets a new one, not an error.
 */
export function parseEventInput(raw: unknown, prefix = ''): ParseResult<EventInput> {
  const at = (p: string) => (prefix ? (p ? `${prefix}.${p}` : prefix) : p || '(body)');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, issues: [{ path: at(''), message: 'must be a JSON object with a "type"' }] };
  }
  const { id: _id, receivedAt: _r, source: _s, ...fields } = raw as Record<string, unknown>;
  const type = fields.type;
  if (typeof type !== 'string') {
    return { ok: false, issues: [{ path: at('type'), message: 'is required and must be a string' }] };
  }
  if (!EVENT_TYPE_PATTERN.test(type)) {
    return {
      ok: false,
      issues: [{ path: at('type'), message: 'must match ^[a-z][a-z0-9_.-]{0,63}$ (lower-case letter first, then letters, digits, "_", ".", "-")' }],
    };
  }
  if ((hubOnlyTypes as readonly string[]).includes(type)) {
    return { ok: false, issues: [{ path: at('type'), message: `"${type}" is reserved for the hub itself` }] };
  }
  // Before the schema: what the log could not serialize back (too deep, Infinity) is refused here,
  // with its path, whatever the type.
  const shape = checkJsonShape(fields, prefix);
  if (shape.length) return { ok: false, issues: shape };
  const schema = isKnownType(type) ? knownEventInputSchemas[type] : customEventInputSchema;
  const parsed = schema.safeParse(fields);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error, prefix) };
  const size = Buffer.byteLength(JSON.stringify(parsed.data));
  if (size > MAX_EVENT_BYTES) {
    return { ok: false, issues: [{ path: at(''), message: `event is ${size} bytes; the limit is ${MAX_EVENT_BYTES}` }] };
  }
  return { ok: true, value: parsed.data };
}

/**
 * Validate a POST body that is one event or an array of them (the agent streaming guide posts
 * one; batching publishers post arrays). All-or-nothing: one bad event rejects the batch, so a
 * publisher never has to work out which half landed.
 */
export function parseEventBatch(body: unknown): ParseResult<EventInput[]> {
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0) return { ok: false, issues: [{ path: '(body)', message: 'must hold at least one event' }] };
  if (list.length > MAX_BATCH) {
    return { ok: false, issues: [{ path: '(body)', message: `holds ${list.length} events; at most ${MAX_BATCH} per request` }] };
  }
  const issues: Issue[] = [];
  const values: EventInput[] = [];
  list.forEach((raw, i) => {
    const r = parseEventInput(raw, Array.isArray(body) ? `[${i}]` : '');
    if (r.ok) values.push(r.value);
    else issues.push(...r.issues);
  });
  return issues.length ? { ok: false, issues } : { ok: true, value: values };
}
