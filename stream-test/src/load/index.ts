/** The load engine shared by `stream-test load` and `npm run bench`. */
export { createPool, type Pool } from './pool.js';
export { runFanout, runIdle, runIngest, runResume, type FanoutResult, type IdleResult, type IngestResult, type ResumeResult, type ServerPids } from './scenarios.js';
export { publishBacklog } from './publisher.js';
export { publishNdjson, type StreamPublishStats } from './ndjson-publisher.js';
export { cpuUs, rssKiB, withChildren, openFileLimit } from './proc-stats.js';
export { postForText, type Target, type Wrap } from './payload.js';
export { runFloor, type FloorLayout, type FloorOptions, type FloorResult } from './floor.js';
