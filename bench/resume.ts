import { postForText, publishBacklog, type Target } from '@showwire/stream-test/load';
import type { Centrifugo } from './centrifugo.js';

/**
 * Set-up of (e), resume: a marker event, then `count` events a subscriber missed; answers how
 * that subscriber asks for exactly those, in each server's own way.
 */
export interface ResumeRequest {
  name: string;
  subUrl: string;
  headers?: Record<string, string>;
}

const MARKER = '{"type":"bench.mark"}';

/** The hub: the marker's id as `Last-Event-ID`; the backlog goes in batches of 1000. */
export async function prepareHubResume(target: Target, count: number): Promise<ResumeRequest> {
  const r = await postForText(target.pubUrl, MARKER, target.headers);
  if (r.status >= 300) throw new Error(`hub marker: ${r.status} ${r.text}`);
  const id = (JSON.parse(r.text) as { ids: string[] }).ids[0]!;
  await publishBacklog(target, count);
  return { name: 'hub', subUrl: target.subUrl, headers: { 'Last-Event-ID': id } };
}

/** Nchan: the marker's message id (its publisher answers JSON when asked) as `Last-Event-ID`, from its message buffer. */
export async function prepareNchanResume(target: Target, count: number): Promise<ResumeRequest> {
  const r = await postForText(target.pubUrl, MARKER, { Accept: 'application/json' });
  if (r.status >= 300) throw new Error(`nchan marker: ${r.status} ${r.text}`);
  const id = (JSON.parse(r.text) as { last_message_id?: string }).last_message_id;
  if (!id) throw new Error(`nchan marker: no last_message_id in ${r.text}`);
  await publishBacklog(target, count);
  return { name: 'nchan', subUrl: target.subUrl, headers: { 'Last-Event-ID': id } };
}

/** Centrifugo: recovery from the marker's offset and epoch, asked for in the connect request's `subs`. */
export async function prepareCentrifugoResume(cf: Centrifugo, channel: string, count: number): Promise<ResumeRequest> {
  const position = await cf.publish(channel, MARKER);
  await publishBacklog(await cf.target(channel), count);
  return { name: 'centrifugo', subUrl: await cf.resumeUrl(channel, position) };
}
