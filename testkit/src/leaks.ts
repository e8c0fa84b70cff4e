import assert from 'node:assert/strict';

/**
 * An error answer carries `{error, message, issues?}` and nothing else: no data, no stack trace,
 * no file paths, none of `secrets` (tokens, private text the caller must not see).
 */
export function assertNothingLeaked(body: unknown, ...secrets: string[]) {
  assert.equal(typeof body, 'object', `error body is JSON: ${String(body)}`);
  assert.deepEqual(Object.keys(body as object).filter((k) => k !== 'issues').sort(), ['error', 'message']);
  const text = JSON.stringify(body);
  assert.doesNotMatch(text, /\bat .+:\d+:\d+|node_modules|\/src\/|\.ts\b|Error:/, 'no stack trace or internals');
  for (const s of secrets) assert.ok(!text.includes(s), `error body must not contain ${s.slice(0, 24)}…`);
}
