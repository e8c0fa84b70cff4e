/** The load engine shared by `stream-test load` and `npm run bench`. */
export { createPool, type Pool } from './pool.js';
export { runFanout, runIdle, runIngest, type FanoutResult, type IdleResult, type IngestResult, type ServerPids } from './scenarios.js';
export { cpuUs, rssKiB, withChildren, openFileLimit } from './proc-stats.js';
export type { Target } from './payload.js';
