// The hub as a library, for what embeds it: the test kit and the benchmarks start it in-process.
export { buildApp, type BuildOptions } from './app.js';
export { loadConfig, type Config } from './config.js';
export { mintToken } from './auth/tokens.js';
export { finishRecording } from './recordings/finish.js';
