import { startHub, type TestHub } from './hub.js';
import { freeTcpPort, startLiveKit, type LiveKitServer } from './livekit-server.js';

/**
 * A livekit-server posting its webhooks to a hub, and that hub (with `env`). LiveKit must know the
 * hub's URL before it starts, so the hub's port is picked free first and bound only after LiveKit
 * is up, seconds later: when another process took it meanwhile, both start again on new ports.
 */
export async function startLiveKitWithHub(env: Record<string, string> = {}): Promise<{ lk: LiveKitServer; hub: TestHub }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freeTcpPort();
    const lk = await startLiveKit({ webhookUrls: [`http://127.0.0.1:${port}/api/livekit/webhook`] });
    try {
      const hub = await startHub({ PORT: String(port), LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret, ...env });
      return { lk, hub };
    } catch (error) {
      await lk.stop();
      if (attempt >= 3 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }
}
