/** Process plumbing shared by the subcommands: stopping, progress lines, exiting with a code. */

/** Calls `cb` on the first Ctrl-C or SIGTERM (a second one exits at once, as people expect). */
export function onStop(cb: () => void): void {
  let stopping = false;
  const handler = () => {
    if (stopping) process.exit(130);
    stopping = true;
    cb();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** Runs `cb` every `ms` without keeping the process alive; returns the stop function. */
export function progressEvery(ms: number, cb: () => void): () => void {
  const timer = setInterval(cb, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/** Exits with `code` once stdout has drained (a piped `listen --json | head` must get every line). */
export function finish(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
