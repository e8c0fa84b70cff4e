/** Something holding frames for its socket that it writes when told (a live Session). */
export interface Flushable {
  flush(): void;
}

export interface WriteBatcher {
  /** `session` holds frames now: it is flushed at the end of the current window. */
  due(session: Flushable): void;
  /** Flushes everything held and stops the timer (shutdown). */
  close(): void;
}

/**
 * Write coalescing (`HUB_WRITE_DELAY_MS`, as Centrifugo PRO's `client.write_delay`): a live
 * connection's frames wait up to `delayMs` and go out in one socket write, so a connection that
 * gets 5 events in 20 ms costs one syscall instead of 5. One timer serves every connection: the
 * first frame held after a flush opens a window of `delayMs`, and when it ends every connection
 * that held something is flushed. A frame therefore waits at most `delayMs` (less when it came
 * late in a window), and a busy hub runs one timer per window, not one per connection.
 */
export function createWriteBatcher(delayMs: number): WriteBatcher {
  let held = new Set<Flushable>();
  let timer: NodeJS.Timeout | undefined;

  function flushAll(): void {
    timer = undefined;
    // A new set first: a flush that closes its session (slow) must not touch the set being walked.
    const now = held;
    held = new Set();
    for (const s of now) s.flush();
  }

  return {
    due(session) {
      held.add(session);
      timer ??= setTimeout(flushAll, delayMs);
    },
    close() {
      clearTimeout(timer);
      flushAll();
    },
  };
}
