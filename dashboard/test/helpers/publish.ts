import assert from 'node:assert/strict';
import { postJson } from '@showwire/testkit';

/** POST events to a show and answer their hub ids. */
export async function publish(hubUrl: string, token: string, show: string, events: Array<Record<string, unknown>>): Promise<string[]> {
  const r = await postJson(`${hubUrl}/api/shows/${show}/events`, events, token);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.ids as string[];
}

export const lines = (from: number, count: number, prefix = 'line') =>
  Array.from({ length: count }, (_, i) => ({ type: 'transcript', text: `${prefix} ${from + i}`, role: i % 2 ? 'agent' : 'user', final: true }));
