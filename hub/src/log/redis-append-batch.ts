/** One request's part of an append script call (redis-scripts.ts says the layout). */
interface AppendPart {
  /** Its event count. */
  n: number;
  /** Per event: the show's stream and eids hash. */
  eventKeys: string[];
  /** Per event: show, eventId, type, receivedAt, body. */
  eventArgs: Array<string | number>;
  hook: { keys: string[]; args: Array<string | number> };
}

/** Per request: its events' `[seq, json, duplicate?]`, or why it was not appended (`HOOK …`, `ERR …`). */
export type AppendAnswer = Array<[number, string, number?]> | string;

/** Requests beyond this many events in all wait for the next call (one request alone may be bigger). */
const MAX_EVENTS_PER_CALL = 1_000;

interface Waiting {
  part: AppendPart;
  resolve(answer: AppendAnswer): void;
  reject(error: unknown): void;
}

/**
 * Sends the appends of concurrent requests to Redis together: what arrives in the same tick, or
 * while the previous call is in flight, goes in one script call (one round trip, one script run),
 * in arrival order, which is the order of their ids. One call is in flight at a time: Redis runs
 * scripts one after the other anyway, so waiting costs no throughput and makes the next call bigger.
 * `run` sends one call (`head` keys and arguments first, then the parts) and answers per request.
 */
export function createAppendBatcher(run: (keys: string[], args: Array<string | number>) => Promise<AppendAnswer[]>, head: () => { keys: string[]; args: Array<string | number> }) {
  let queue: Waiting[] = [];
  let scheduled = false;
  let inFlight = false;

  function take(): Waiting[] {
    let events = 0;
    let count = 0;
    while (count < queue.length && (count === 0 || events + queue[count]!.part.n <= MAX_EVENTS_PER_CALL)) events += queue[count++]!.part.n;
    return queue.splice(0, count);
  }

  function flush(): void {
    scheduled = false;
    if (inFlight || queue.length === 0) return;
    const calls = take();
    const { keys, args } = head();
    args.push(calls.length);
    for (const { part } of calls) {
      keys.push(...part.eventKeys, ...part.hook.keys);
      args.push(part.n, part.hook.keys.length, part.hook.args.length, ...part.eventArgs, ...part.hook.args);
    }
    inFlight = true;
    run(keys, args).then(
      (answers) => {
        calls.forEach((w, i) => w.resolve(answers[i] ?? 'ERR no answer for this request'));
        inFlight = false;
        flush();
      },
      (error: unknown) => {
        // The call failed whole (Redis away, stalled past the deadline, or the epoch guard): those
        // queued behind it were not sent, and would meet the same Redis, so they fail with it now
        // rather than wait out another deadline (each append's 503 comes within one deadline).
        const failed = [...calls, ...queue];
        queue = [];
        inFlight = false;
        for (const w of failed) w.reject(error);
      },
    );
  }

  return {
    /** Queues one request's append; resolves with its answer once Redis ran the call that carried it. */
    add(part: AppendPart): Promise<AppendAnswer> {
      return new Promise<AppendAnswer>((resolve, reject) => {
        queue.push({ part, resolve, reject });
        if (!scheduled && !inFlight) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
