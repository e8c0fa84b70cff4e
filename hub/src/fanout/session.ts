import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { WireChunk } from './frames.js';
import type { Flushable, WriteBatcher } from './write-delay.js';

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
  /** Close a replaying connection whose socket took no bytes for this long (it is not reading). */
  replayStallMs: number;
}

export type CloseReason = 'client' | 'slow' | 'expired' | 'shutdown' | 'error';

/**
 * Under write coalescing, a connection holding this many bytes writes them at once instead of
 * waiting for the window's end: a bigger write saves nothing more, and what is held stays small.
 */
const FLUSH_BYTES = 64 * 1024;

/**
 * One SSE connection: it owns its bounded outgoing buffer. While it replays history, live
 * events wait in `held` and are released after the replay, skipping what the replay already
 * sent, so the client sees no gap and no duplicate.
 *
 * The bound is for live events a client can't keep up with. A replay is paced by the socket
 * instead (one page, then wait for 'drain'), so a backlog of any size completes; live events
 * held meanwhile are bounded too: past the bound they are dropped and counted in `drops`, and
 * the replay reads them back from the log (where they already are) before going live.
 */
export class Session implements Flushable {
  /** Last event id written to this connection; the replay/live boundary. */
  cursor: string | undefined;
  closed = false;
  /** How many times held live events were dropped for the bound; the replay then reads further. */
  drops = 0;
  private replaying = true;
  private held: Array<{ id: string; frame: string }> = [];
  private heldBytes = 0;
  /** Events written since the socket last reported it was drained. */
  private undrained = 0;
  /** Resolves the replay's wait for 'drain' (also on close). */
  private resumeReplay: (() => void) | undefined;
  private readonly closeListeners: Array<(reason: CloseReason) => void> = [];
  /** Live frames waiting for the write-delay window to end (only with a batcher), and how many events they carry. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingEvents = 0;
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
    /** Set when HUB_WRITE_DELAY_MS > 0: live frames are held and written once per window. */
    private readonly batcher?: WriteBatcher,
  ) {
    this.socket = res.req.method === 'HEAD' ? null : res.socket;
    this.chunked = res.chunkedEncoding;
    this.drainSource().on('drain', () => {
      this.undrained = 0;
      this.wake();
    });
    res.on('close', () => this.close('client'));
  }

  /** Who says 'drain': the socket when we write to it, else the response. */
  private drainSource(): NodeJS.EventEmitter {
    return this.socket ?? this.res;
  }

  private wake(): void {
    const resume = this.resumeReplay;
    this.resumeReplay = undefined;
    resume?.();
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
      if (this.held.length > this.limits.maxBufferedEvents || this.heldBytes > this.limits.maxBufferedBytes) {
        this.held = [];
        this.heldBytes = 0;
        this.drops++;
      }
      return;
    }
    const fresh = this.afterCursor(items);
    if (fresh.length === 0) return;
    this.cursor = fresh[fresh.length - 1]!.id;
    // The shared chunk when nothing was skipped (the usual case), else one of the fresh frames.
    this.write(fresh === items ? chunk : new WireChunk(fresh.map((f) => f.frame).join('')), fresh.length, true);
  }

  /**
   * The one check where the live path meets the replay: only events after the cursor are ever
   * written. On Redis the replay's XRANGE can see an entry before this hub's stream reader hands
   * it to the fan-out, so the same event may arrive live after the replay already wrote it.
   * Answers `items` itself when all of it is fresh.
   */
  private afterCursor<T extends { id: string }>(items: ReadonlyArray<T>): ReadonlyArray<T> {
    const cursor = this.cursor;
    if (cursor === undefined || this.compare(items[0]!.id, cursor) > 0) return items;
    return items.filter((item) => this.compare(item.id, cursor) > 0);
  }

  /**
   * Writes a replayed page and resolves once the socket can take more, so a replay of a long
   * history never holds more than one page in memory and is never closed as slow.
   */
  async replay(chunk: string, count: number, lastId: string): Promise<void> {
    if (this.closed) return;
    this.cursor = lastId;
    if (this.write(new WireChunk(chunk), count, false)) return;
    // Paced by the socket, not bounded by the buffer: a client that stops reading mid-replay is
    // closed as slow after a while (it resumes from its last id), as a live one would be.
    const stalled = setTimeout(() => this.close('slow'), this.limits.replayStallMs);
    await new Promise<void>((resolve) => (this.resumeReplay = resolve));
    clearTimeout(stalled);
  }

  /** Ends the replay: held live events newer than the cursor go out in one write. */
  goLive(): void {
    if (this.closed) return;
    this.replaying = false;
    const fresh = this.held.length === 0 ? this.held : this.afterCursor(this.held);
    this.held = [];
    this.heldBytes = 0;
    const last = fresh.at(-1);
    if (last) {
      this.cursor = last.id;
      // Already within the bound while held; the replay's last page may still be in the socket.
      this.write(new WireChunk(fresh.map((f) => f.frame).join('')), fresh.length, false);
    }
  }

  /** Frames that carry no id (heartbeats, notices); a broadcast passes one WireChunk to all. */
  notice(frame: string | WireChunk): void {
    if (!this.closed) this.write(typeof frame === 'string' ? new WireChunk(frame) : frame, 0, !this.replaying);
  }

  /**
   * Returns false when the socket asked us to wait. A `bounded` write closes the connection when
   * its buffer is over the bound (a live client that can't keep up resumes from its last id).
   */
  private write(chunk: WireChunk, count: number, bounded: boolean): boolean {
    // The headers went out with the first write (the retry hint), so the socket takes body bytes from here on.
    const socket = this.socket;
    if (!socket || socket.destroyed) return this.wrote(this.res.write(chunk.text), count, bounded);
    // Only live writes (bounded) are coalesced: replay pages and the held events of goLive go out
    // at once, before anything live is held, so the replay/live order is kept.
    if (bounded && this.batcher) return this.hold(chunk.bytes(this.chunked), count);
    return this.wrote(socket.write(chunk.bytes(this.chunked)), count, bounded);
  }

  private hold(bytes: Buffer, count: number): boolean {
    if (this.pending.length === 0) this.batcher!.due(this);
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.pendingEvents += count;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    return true;
  }

  /** Writes the frames held for the write-delay window in one socket write, bounded as a live write. */
  flush(): void {
    const held = this.takePending();
    if (held && !this.closed) this.wrote(this.socket!.write(held.bytes), held.events, true);
  }

  private takePending(): { bytes: Buffer; events: number } | undefined {
    const parts = this.pending;
    if (parts.length === 0) return undefined;
    const held = { bytes: parts.length === 1 ? parts[0]! : Buffer.concat(parts, this.pendingBytes), events: this.pendingEvents };
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingEvents = 0;
    return held;
  }

  /** After a write: `ok` false means the socket asked us to wait; a bounded write may then close the session as slow. */
  private wrote(ok: boolean, count: number, bounded: boolean): boolean {
    if (!ok) {
      this.undrained += count;
      if (bounded && (this.res.writableLength > this.limits.maxBufferedBytes || this.undrained > this.limits.maxBufferedEvents)) {
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
    const pending = this.takePending();
    if (reason === 'slow' || reason === 'client' || reason === 'error') {
      // A slow client's buffer is dropped at once; it resumes from its Last-Event-ID.
      this.res.destroy();
    } else {
      // A stream that ends in order gets what the write delay still held, then the end.
      if (pending && this.socket && !this.socket.destroyed) this.socket.write(pending.bytes);
      this.res.end(final);
    }
    this.wake();
    for (const l of this.closeListeners) l(reason);
  }
}
