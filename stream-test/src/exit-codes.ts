/**
 * Exit codes every subcommand keeps, so scripts can branch on them (docs/stream-test.md lists them too).
 * 1 is left to Node itself (an uncaught crash), so a script can tell our decisions from a bug.
 */
export const ExitCode = {
  /** Done: sent, heard what was asked, or stopped by Ctrl-C / SIGTERM. */
  ok: 0,
  /** A bug or an unexpected failure. */
  internal: 1,
  /** Bad flags or arguments (commander's usage errors land here too). */
  usage: 2,
  /** The hub could not be reached (refused, DNS, reset before an answer), or a 5xx. */
  unreachable: 3,
  /** The hub refused the token: 401 (missing, expired, bad signature) or 403 (role or show not covered). */
  auth: 4,
  /** The event or request was invalid: refused locally by protocol's schema, or a 400/413/415 from the hub. */
  rejected: 5,
  /** `listen --timeout` passed before `--count` events arrived. */
  timeout: 6,
  /** `load` ran, but some subscriber missed an event, got one twice or out of order. */
  loss: 7,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error that ends the command with a given exit code and a message for stderr. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
  }
}

/** The exit code an HTTP error status maps to. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 401 || status === 403) return ExitCode.auth;
  if (status >= 500) return ExitCode.unreachable;
  return ExitCode.rejected;
}
