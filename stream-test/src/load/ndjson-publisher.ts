import http from 'node:http';
import { eventBody, publishHeaders, type Target } from './payload.js';

export interface StreamPublishStats {
  sent: number;
  acked: number;
  /** Error acks, and how the stream ended when it ended early. */
  errors: string[];
}

/**
 * Publishes events 1 … `count` over ONE persistent NDJSON request (the hub's
 * `/events/stream`), writing lines in chunks of `chunk` while at most `window` lines are unacked,
 * and reading the streamed acks; resolves when every line is acked or the stream ends.
 */
export function publishNdjson(target: Target & { streamUrl: string }, count: number, chunk = 100, window = 4000): Promise<StreamPublishStats> {
  const stats: StreamPublishStats = { sent: 0, acked: 0, errors: [] };
  return new Promise((resolve) => {
    const req = http.request(target.streamUrl, { method: 'POST', headers: { ...publishHeaders(target), 'Content-Type': 'application/x-ndjson' } });
    const finish = (why?: string) => {
      if (why && stats.errors.length < 5) stats.errors.push(why);
      req.destroy();
      resolve(stats);
    };
    const pump = () => {
      while (stats.sent < count && stats.sent - stats.acked < window) {
        let text = '';
        const n = Math.min(chunk, count - stats.sent);
        for (let i = 0; i < n; i++) text += `${eventBody(++stats.sent)}\n`;
        req.write(text);
      }
      if (stats.sent === count) req.end();
    };
    req.on('response', (res) => {
      if (res.statusCode !== 200) return finish(`HTTP ${res.statusCode}`);
      let partial = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        const lines = (partial + c).split('\n');
        partial = lines.pop()!;
        for (const line of lines) {
          // Acks are `{"line":N,"id":…}`; anything else is an error ack.
          if (line.startsWith('{"line":') && line.includes('"id":')) stats.acked++;
          else if (stats.errors.length < 5) stats.errors.push(line.slice(0, 300));
        }
        if (stats.acked === count) return finish();
        pump();
      });
      res.on('end', () => finish(stats.acked < count ? 'the stream ended early' : undefined));
      res.on('error', (e) => finish(e.message));
    });
    req.on('error', (e) => finish(e.message));
    req.flushHeaders();
    pump();
  });
}
