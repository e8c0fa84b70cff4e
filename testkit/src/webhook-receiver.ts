import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './wait.js';

/** One request a receiver got, and what it answered. */
export interface Delivery {
  webhookId: string;
  timestamp: string;
  signature: string;
  body: string;
  /** Parsed body. */
  event: any;
  headers: IncomingMessage['headers'];
  /** ms epoch when the request arrived. */
  at: number;
  status: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (the request hangs until the receiver closes). */
  hold?: boolean;
}

export type Responder = (req: Omit<Delivery, 'status'>, index: number) => Answer;

/** A real HTTP receiver on 127.0.0.1:0 that records every webhook and answers as `respond` says. */
export async function startReceiver(respond: Responder = () => ({ status: 200 })) {
  const received: Delivery[] = [];
  let responder = respond;
  let count = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let event: unknown;
      try {
        event = JSON.parse(body);
      } catch {
        event = undefined;
      }
      const r = {
        webhookId: String(req.headers['webhook-id']),
        timestamp: String(req.headers['webhook-timestamp']),
        signature: String(req.headers['webhook-signature']),
        body,
        event,
        headers: req.headers,
        at: Date.now(),
      };
      const answer = responder(r, count++);
      if (answer.hold) return;
      received.push({ ...r, status: answer.status });
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
      res.end(answer.body ?? 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** Requests that arrived, held ones too (`received` holds the answered ones). */
    requests: () => count,
    respondWith(r: Responder) {
      responder = r;
    },
    async until(cond: () => boolean, what: string, ms = 60_000) {
      await waitFor(what, cond, ms).catch((error: Error) => {
        throw new Error(`receiver: ${error.message} (answered ${received.length} of ${count} requests)`);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
