import type { HeartbeatNotice } from '@showwire/protocol';

/**
 * SSE wire frames. Each event's frame is encoded once and written to every connection that
 * wants it. Events go out as unnamed messages so the guides' `onmessage` + `switch (data.type)`
 * clients keep working.
 */
export const eventFrame = (id: string, json: string) => `id: ${id}\ndata: ${json}\n\n`;

/** Messages without `id:`, so they never move a client's resume point. */
export const dataFrame = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;

// The hub's own notice, shaped by protocol's schema (which the dashboard parses it with).
export const heartbeatFrame = () => dataFrame({ type: 'heartbeat', timestamp: Date.now() / 1000 } satisfies HeartbeatNotice);

export const retryFrame = (ms: number) => `retry: ${ms}\n\n`;

const CRLF = '\r\n';

/**
 * Bytes for the wire, shared by every connection that gets them: encoded once, and framed once
 * as an HTTP/1.1 chunk for chunked responses. Writing one ready Buffer straight to the socket
 * spares each connection the response object's per-write encoding, chunk framing and
 * cork/uncork, which is most of what a delivery costs in JS.
 */
export class WireChunk {
  private raw?: Buffer;
  private framed?: Buffer;
  constructor(readonly text: string) {}

  bytes(chunked: boolean): Buffer {
    if (!chunked) return (this.raw ??= Buffer.from(this.text));
    if (!this.framed) {
      const body = this.raw ?? Buffer.from(this.text);
      this.framed = Buffer.concat([Buffer.from(body.length.toString(16) + CRLF), body, Buffer.from(CRLF)]);
    }
    return this.framed;
  }
}
