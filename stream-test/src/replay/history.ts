import type { HubEvent } from '@showwire/protocol';
import { CliError, ExitCode, exitCodeForStatus } from '../exit-codes.js';
import { describeError } from '../hub-client.js';
import type { HubOptions } from '../options.js';

/** Every retained event of a show, oldest first, paging through `GET /api/shows/:show/events`. */
export async function readShowHistory(opts: HubOptions, show: string): Promise<{ events: HubEvent[]; truncated: boolean }> {
  const events: HubEvent[] = [];
  let truncated = false;
  for (let after = '0'; ; ) {
    const url = `${opts.hub}/api/shows/${encodeURIComponent(show)}/events?after=${after}&limit=1000`;
    let res: Response;
    try {
      res = await fetch(url, { headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {} });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      throw new CliError(ExitCode.unreachable, `cannot reach the hub at ${opts.hub}: ${cause?.code ?? String(error)}`);
    }
    const text = await res.text();
    let body: { events: HubEvent[]; next: string | null; truncated: boolean } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = undefined;
    }
    if (!res.ok || !body) throw new CliError(exitCodeForStatus(res.status), `reading ${show}: ${describeError(res.status, body)}`);
    events.push(...body.events);
    truncated ||= body.truncated;
    if (!body.next) return { events, truncated };
    after = body.next;
  }
}
