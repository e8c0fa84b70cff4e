import { EventSource } from 'eventsource';

export interface SseMessage {
  id: string;
  data: any;
}

/**
 * A real EventSource client (the `eventsource` package, as browsers behave: it reconnects and
 * sends Last-Event-ID by itself) that records every message it gets.
 */
export function listen(url: string, opts: { token?: string; headers?: Record<string, string> } = {}) {
  const events: SseMessage[] = [];
  const notices: any[] = [];
  let opens = 0;
  const waiters = new Set<() => void>();
  const es = new EventSource(url, {
    fetch: (input, init) =>
      fetch(input, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), ...(opts.token && { authorization: `Bearer ${opts.token}` }), ...opts.headers },
      }),
  });
  es.onopen = () => {
    opens++;
    for (const w of [...waiters]) w();
  };
  es.onmessage = (m) => {
    const data = JSON.parse(m.data);
    if (m.lastEventId && data.id === m.lastEventId) events.push({ id: m.lastEventId, data });
    else notices.push(data);
    for (const w of [...waiters]) w();
  };
  /** Waits until `done()` holds, checking on every message; rejects after `ms`. */
  const until = (done: () => boolean, ms = 20_000, what = 'condition') =>
    new Promise<void>((resolve, reject) => {
      if (done()) return resolve();
      const check = () => {
        if (done()) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; got ${events.length} events, ${notices.length} notices`));
      }, ms);
      waiters.add(check);
    });
  return {
    es,
    events,
    notices,
    opens: () => opens,
    until,
    opened: () => until(() => opens > 0, 10_000, 'open'),
    close: () => es.close(),
  };
}
