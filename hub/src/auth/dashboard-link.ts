import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file, in HUB_DATA_DIR, that holds the sign-in link when stdout is not a terminal. */
export const DASHBOARD_LINK_FILE = 'dashboard-link.txt';

/**
 * Tells the operator where the dashboard is. A link with a staff token is a credential: it goes
 * to a person's terminal (stderr, when stdout is one), never into output that is collected with
 * the logs (a pipe, a file, a log shipper). Otherwise it is written to a file only this user may
 * read, and the output names the file. The line always starts `Showwire dashboard: <url>` on
 * stdout, which is what scripts wait for.
 */
export function announceDashboard(opts: { base: string; token?: string; dataDir: string; out?: NodeJS.WriteStream; err?: NodeJS.WriteStream }): void {
  const out = opts.out ?? process.stdout;
  const err = opts.err ?? process.stderr;
  if (!opts.token) {
    out.write(`\nShowwire dashboard: ${opts.base}/\n\n`);
    return;
  }
  const link = `${opts.base}/?token=${opts.token}`;
  if (out.isTTY) {
    out.write(`\nShowwire dashboard: ${opts.base}/ (sign-in link with a staff token below, on stderr)\n`);
    err.write(`${link}\n\n`);
    return;
  }
  const file = join(opts.dataDir, DASHBOARD_LINK_FILE);
  try {
    writeFileSync(file, `${link}\n`, { mode: 0o600 });
    // `mode` applies only when the file is created; an older file keeps its own.
    chmodSync(file, 0o600);
    out.write(`\nShowwire dashboard: ${opts.base}/ (sign-in link with a staff token in ${file}, readable by this user only)\n\n`);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    out.write(`\nShowwire dashboard: ${opts.base}/ (no sign-in link: ${file} could not be written, ${reason}; mint a token with the hub's token CLI)\n\n`);
  }
}
