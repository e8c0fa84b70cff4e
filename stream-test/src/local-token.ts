import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import type { Role } from '@showwire/protocol';

/**
 * Mints a hub token on the hub's own machine, the way hub/src/auth/tokens.ts does: HS256 with
 * HUB_SECRET, or with the secret the hub keeps in HUB_DATA_DIR/hub-secret. For the demo and local
 * scripts; anywhere else, ask an admin for a token (`POST /api/auth/tokens`).
 */
export async function mintLocalToken(
  claims: { sub: string; role: Role; shows: string[] },
  env: { HUB_SECRET?: string; HUB_DATA_DIR?: string } = process.env,
  ttlSeconds = 24 * 3600,
): Promise<string> {
  const secret = env.HUB_SECRET || readFileSync(join(env.HUB_DATA_DIR || './data', 'hub-secret'), 'utf8').trim();
  return new SignJWT({ role: claims.role, shows: claims.shows })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}
