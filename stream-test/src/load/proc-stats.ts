import { readdirSync, readFileSync } from 'node:fs';

/**
 * A server's own cost, read from /proc (Linux): CPU time (utime + stime) and resident memory
 * of a set of processes, so client load never counts as server work.
 */

/** Clock ticks per second of /proc/<pid>/stat times; 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

const statFields = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the `(comm)`, which may itself hold spaces: state is field 3.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
};

/** CPU µs used so far by the processes: in user space, in the kernel (mostly socket writes), and both. */
export function cpuUs(pids: readonly number[]): { user: number; system: number; total: number } {
  let user = 0;
  let system = 0;
  for (const pid of pids) {
    const f = statFields(pid);
    user += Number(f[11]); // utime (field 14)
    system += Number(f[12]); // stime (field 15)
  }
  const us = 1e6 / TICKS_PER_SECOND;
  return { user: user * us, system: system * us, total: (user + system) * us };
}

/** Resident set size in KiB, summed over the processes. */
export function rssKiB(pids: readonly number[]): number {
  let kib = 0;
  for (const pid of pids) {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    kib += m ? Number(m[1]) : 0;
  }
  return kib;
}

/** A process and its direct children (nginx: master and workers). */
export function withChildren(pid: number): number[] {
  const kids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (Number(statFields(Number(name))[1]) === pid) kids.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return [pid, ...kids];
}

/** How many file descriptors this process may open (the soft RLIMIT_NOFILE). */
export function openFileLimit(): number {
  const m = /Max open files\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  return !m || m[1] === 'unlimited' ? Infinity : Number(m[1]);
}
