import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The level libraries log at in tests: `fatal`, so a run prints the reporter's lines and real
 * failures only (the assertions say what went wrong); SHOWWIRE_TEST_LIB_LOG_LEVEL=debug (or info,
 * warn, …) brings their lines back while looking into a failure. Tests that run LiveKit Agents
 * in-process pass it to its `initializeLogger`.
 */
export const LIB_LOG_LEVEL = process.env.SHOWWIRE_TEST_LIB_LOG_LEVEL || 'fatal';

/**
 * @livekit/rtc-node logs at `debug` to stdout unless NODE_ENV is production (`Connect callback
 * received`, `ignoring incoming byte stream…`, thousands of lines in a run) and offers no setting
 * for it: its logger is one pino
 * instance in its `log.cjs`, reached here by path (its package exports do not list it) and set to
 * LIB_LOG_LEVEL. The same instance serves every Room of the process, whenever rtc-node is loaded.
 * (Child processes' output is captured by the helpers that start them and shown with a failure.)
 */
const require = createRequire(import.meta.url);
const rtcLog = join(dirname(require.resolve('@livekit/rtc-node')), 'log.cjs');
(require(rtcLog) as { log: { level: string } }).log.level = LIB_LOG_LEVEL;
