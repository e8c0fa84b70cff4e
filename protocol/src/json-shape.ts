import type { Issue } from './answers.js';

/**
 * How deep objects and arrays may nest in one event (the event object itself is level 1). Far
 * beyond what any real event needs, and far below where `JSON.stringify` overflows the stack
 * (about 4,100 levels): an event the hub accepts can always be serialized back.
 */
export const MAX_EVENT_DEPTH = 32;

/** The longest path an issue spells out; deeper paths are cut with "…". */
const MAX_PATH_KEYS = MAX_EVENT_DEPTH + 2;

const formatKey = (key: string | number) => (typeof key === 'number' ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);

function pathOf(prefix: string, keys: ReadonlyArray<string | number>): string {
  const shown = keys.slice(0, MAX_PATH_KEYS).map(formatKey).join('');
  const tail = keys.length > MAX_PATH_KEYS ? '…' : '';
  const out = (prefix + shown).replace(/^\./, '') + tail;
  return out || '(body)';
}

/**
 * Checks what JSON.parse can produce but the log can't keep: nesting deeper than
 * MAX_EVENT_DEPTH, and numbers that are not finite (`1e309` parses as Infinity, which
 * `JSON.stringify` would store as `null`). Walks with an explicit stack, so a body nested
 * thousands of levels deep can't overflow it. Answers at most one issue of each kind (the first
 * found), with its path.
 */
export function checkJsonShape(value: unknown, prefix = ''): Issue[] {
  const issues: Issue[] = [];
  let deep = false;
  let nonFinite = false;
  const stack: Array<{ value: unknown; keys: Array<string | number> }> = [{ value, keys: [] }];
  while (stack.length > 0 && !(deep && nonFinite)) {
    const { value: v, keys } = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v) && !nonFinite) {
        nonFinite = true;
        issues.push({ path: pathOf(prefix, keys), message: 'must be a finite number (a literal such as 1e309 overflows to Infinity)' });
      }
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    // keys.length + 1 is this container's level (the event itself is level 1).
    if (keys.length + 1 > MAX_EVENT_DEPTH) {
      if (!deep) {
        deep = true;
        issues.push({ path: pathOf(prefix, keys), message: `nests deeper than ${MAX_EVENT_DEPTH} levels of objects and arrays` });
      }
      continue;
    }
    const entries: Array<[string | number, unknown]> = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    // Pushed in reverse so the first field is checked first (the issue names the first offender).
    for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i]![1], keys: [...keys, entries[i]![0]] });
  }
  return issues;
}
