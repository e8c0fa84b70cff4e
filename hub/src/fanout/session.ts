import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { WireChunk } from './frames.js';

/** What a connection asked for, already intersected with what its token allows. */
export interface Filter {
  /** Shows to receive; null means every show. */
  shows: ReadonlySet<string> | null;
  /** Types to receive; null means every type. */
  types: ReadonlySet<string> | null;
}

export interface SessionLimits {
  /** Close the connection once this many bytes wait in its outgoing buffer. */
  maxBufferedBytes: number;
  /** Close the connection once this many events were written while it was not draining. */
  maxBufferedEvents: number;
}

export type CloseReason = 'client' | 'slow' | 'expired' | 'shutdown' | 'error';

/**
 * One SSE connection: it owns its bounded outgoing buffer. While it replays history, live
 * events wait in `held` and are released after the replay, skipping what the replay already
 * sent, so the client sees no gap and no duplicate.
 */
export class Session {
  /** Last event id written to this connection; the replay/live boundary. */
  cursor: string | undefined;
  closed = false;
  private replaying = true;
  private held: Array<{ id: string; frame: string }> = [];
  private heldBytes = 0;
  /** Events written since the socket last reported it was drained. */
  private undrained = 0;
  private readonly closeListeners: Array<(reason: CloseReason) => void> = [];
  /**
   * The socket frames are written to directly once the headers are out (see WireChunk), and
   * whether they need chunk framing. Null for HEAD, where the response writes no body.
   */
  private readonly socket: Socket | null;
  private readonly chunked: boolean;

  constructor(
    readonly res: ServerResponse,
    private readonly limits: SessionLimits,
    private readonly compare: (a: string, b: string) => number,
  ) {
    this.socket = res.req.method === 'HEAD' ? null : res.socket;
    this.chunked = res.chunkedEncoding;
    this.drainSource().on('drain', () => {
      this.undrained = 0;
    });
    res.on('close', () => this.close('client'));
  }

  /** Who says 'drain': the socket when we write to it, else the response. */
  private drainSource(): NodeJS.EventEmitter {
    return this.socket ?? this.res;
  }

  /**
   * Live events from the fan-out: written now, or held while the replay runs. `chunk` is the
   * frames of `items` joined, shared by every connection with the same filter.
   */
  deliver(chunk: WireChunk, items: ReadonlyArray<{ id: string; frame: string }>): void {
    if (this.closed || items.length === 0) return;
    if (this.replaying) {
      for (const item of items) {
        this.held.push(item);
        this.heldBytes += item.frame.length;
      }
      if (this.held.length > this.limits.maxBufferedEvents || this.heldBytes > this.limits.maxBufferedBytes) this.close('slow');
      return;
    }
    this.cursor = items[items.length - 1]!.id;
    this.write(chunk, items.length);
  }

  /**
   * Writes a replayed page and resolves once the socket can take more, so a replay of a long
   * history never holds more than one page in memory.
   */
  async replay(chunk: string, count: number, lastId: string): Promise<void> {
    if (this.closed) return;
    this.cursor = lastId;
    if (this.write(new WireChunk(chunk), count)) return;
    const source = this.drainSource();
    await new Promise<void>((resolve) => {
      const done = () => {
        source.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      source.on('drain', done);
      this.res.on('close', done);
    });
  }

  /** Ends the replay: held live events newer than the cursor go out in one write. */
  goLive(): void {
    if (this.closed) return;
    this.replaying = false;
    const fresh = this.cursor === undefined ? this.held : this.held.filter((h) => this.compare(h.id, this.cursor!) > 0);
    this.held = [];
    this.heldBytes = 0;
    const last = fresh.at(-1);
    if (last) {
      this.cursor = last.id;
      this.write(new WireChunk(fresh.map((f) => f.frame).join('')), fresh.length);
    }
  }

  /** Frames that carry no id (heartbeats, notices); a broadcast passes one WireChunk to all. */
  notice(frame: string | WireChunk): void {
    if (!this.closed) this.write(typeof frame === 'string' ? new WireChunk(frame) : frame, 0);
  }

  /** Returns false when the socket asked us to wait. Closes the connection when its buffer is over the bound. */
  private write(chunk: WireChunk, count: number): boolean {
    // The headers went out with the first write (the retry hint), so the socket takes body bytes from here on.
    const socket = this.socket;
    const ok = socket && !socket.destroyed ? socket.write(chunk.bytes(this.chunked)) : this.res.write(chunk.text);
    if (!ok) {
      this.undrained += count;
      if (this.res.writableLength > this.limits.maxBufferedBytes || this.undrained > this.limits.maxBufferedEvents) {
        this.close('slow');
      }
    }
    return ok;
  }

  onClose(listener: (reason: CloseReason) => void): void {
    this.closeListeners.push(listener);
  }

  /** Ends the response; `final` is written first (e.g. a `retry:` hint on shutdown). */
  close(reason: CloseReason, final?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.held = [];
    if (reason === 'slow' || reason === 'client' || reason === 'error') {
      // A slow client's buffer is dropped at once; it resumes from its Last-Event-ID.
      this.res.destroy();
    } else {
      this.res.end(final);
    }
    for (const l of this.closeListeners) l(reason);
  }
}
