import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Tests print the reporter's lines and real failures only. @livekit/rtc-node logs at `debug` to
 * stdout unless NODE_ENV is production (`Connect callback received`, `ignoring incoming byte
 * stream…`, thousands of lines in a run) and offers no setting for it: its logger is one pino
 * instance in its `log.cjs`, reached here by path (its package exports do not list it) and set to
 * `warn` (or SHOWWIRE_TEST_LIB_LOG_LEVEL, e.g. `debug` to see them again while looking into a
 * failure). The same instance serves every Room of the process, whenever rtc-node is loaded.
 * (LiveKit Agents' logger is set by `initializeLogger` where a test runs the framework in-process;
 * child processes' output is captured by the helpers that start them and shown with a failure.)
 */
const require = createRequire(import.meta.url);
const rtcLog = join(dirname(require.resolve('@livekit/rtc-node')), 'log.cjs');
(require(rtcLog) as { log: { level: string } }).log.level = process.env.SHOWWIRE_TEST_LIB_LOG_LEVEL || 'warn';
