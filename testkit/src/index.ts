// What the tests of every workspace and bench/ share: a hub in-process or as
// its own process, tokens, HTTP and SSE clients, waiting, free ports, and the outside servers the tests
// run for real (LiveKit, a webhook receiver, a fake OpenAI, a TCP proxy that can cut connections).
export { LIB_LOG_LEVEL } from './quiet-logs.js';
export * from './hub.js';
export * from './sse.js';
export * from './wait.js';
export * from './leaks.js';
export * from './proxy.js';
export * from './livekit-server.js';
export * from './livekit-hub.js';
export * from './webhook-receiver.js';
export * from './fake-openai.js';
export * from './metrics.js';
export * from './raw-http.js';
export * from './redis-server.js';
export * from './balancer.js';
// media-host (a LiveKit host publishing generated video and a tone) loads rtc-node's native library:
// imported on its own, as '@showwire/testkit/media-host', by the tests that need it.
export { mintToken } from '@showwire/hub';
export * from './publish-stream.js';
export * from './recording-file.js';
export * from './s3-server.js';
