import { AccessToken, AgentDispatchClient, RoomServiceClient, WebhookReceiver, type VideoGrant } from 'livekit-server-sdk';
import type { Config } from '../config.js';
import { PARTICIPANT_ROLE_ATTRIBUTE } from '@showwire/protocol';
import { livekitError, LiveKitTimeout, livekitUnconfigured } from './errors.js';

/** What a LiveKit token lets its holder do: the two kinds the live streaming doc names. */
export type LiveKitRole = 'host' | 'viewer';

export interface LiveKitServices {
  /** The configured signal URL (ws:// or wss://), answered to clients with their token. */
  url: string;
  rooms: RoomServiceClient;
  dispatch: AgentDispatchClient;
  receiver: WebhookReceiver;
  /** Runs a LiveKit server call with a hard timeout, mapping every failure to a 502/503/404 naming LiveKit. */
  call<T>(what: string, fn: (lk: LiveKitServices) => Promise<T>): Promise<T>;
  /** `name` is the display name (default: the identity); `attributes` are added to the role's. */
  mintToken(opts: { room: string; identity: string; name?: string; role: LiveKitRole; ttlSeconds: number; attributes?: Record<string, string> }): Promise<string>;
}

/** The grants of the live streaming doc: a host publishes and administers, a viewer only subscribes. */
function grantsFor(room: string, role: LiveKitRole): VideoGrant {
  const host = role === 'host';
  return {
    room,
    roomJoin: true,
    canSubscribe: true,
    canPublish: host,
    canPublishData: host,
    roomAdmin: host,
    roomCreate: host,
  };
}

/**
 * The LiveKit clients, built once from config and decorated on the app as `app.livekit`:
 * `app.livekit()` returns them, or throws a 503 naming LiveKit when URL/key/secret are missing,
 * so every route fails the same clear way.
 */
export function createLiveKit(config: Config): () => LiveKitServices {
  const { LIVEKIT_URL: url, LIVEKIT_API_KEY: key, LIVEKIT_API_SECRET: secret, LIVEKIT_TIMEOUT_MS: timeoutMs } = config;
  if (!url || !key || !secret) {
    return () => {
      throw livekitUnconfigured();
    };
  }
  // The SDK's own timeout covers one fetch; failover off: it only applies to LiveKit Cloud and would retry.
  const options = { requestTimeout: Math.max(1, Math.ceil(timeoutMs / 1000)), failover: false };
  const services: LiveKitServices = {
    url,
    rooms: new RoomServiceClient(url, key, secret, options),
    dispatch: new AgentDispatchClient(url, key, secret, options),
    receiver: new WebhookReceiver(key, secret),
    async call(what, fn) {
      // Our own deadline as well: the SDK's is whole seconds and covers only the fetch, not the body.
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new LiveKitTimeout(`${timeoutMs} ms`)), timeoutMs);
      });
      try {
        return await Promise.race([fn(services), deadline]);
      } catch (error) {
        throw livekitError(what, url, error);
      } finally {
        clearTimeout(timer);
      }
    },
    async mintToken({ room, identity, name, role, ttlSeconds, attributes }) {
      const at = new AccessToken(key, secret, { identity, name: name ?? identity, ttl: ttlSeconds });
      at.addGrant(grantsFor(room, role));
      // The agent links its audio input to the participant marked host, never to a viewer.
      at.attributes = { ...attributes, [PARTICIPANT_ROLE_ATTRIBUTE]: role };
      return at.toJwt();
    },
  };
  return () => services;
}
