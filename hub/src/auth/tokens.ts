import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errors, jwtVerify, SignJWT } from 'jose';
import { tokenClaims, type TokenClaims } from '@showwire/protocol';

/**
 * The HS256 key: HUB_SECRET, or a secret kept in HUB_DATA_DIR (created with 0600 on first run)
 * so tokens survive restarts without any setup.
 */
export function loadSecret(configured: string | undefined, dataDir: string, options: { create?: boolean } = {}): Uint8Array {
  if (configured) return new TextEncoder().encode(configured);
  const file = secretFile(dataDir);
  if (existsSync(file)) return readSecretFile(file);
  // A tool other than the hub must not invent a key: tokens it signed would only fail later.
  if (options.create === false) throw new Error(`no key: set HUB_SECRET, or start the hub once so it creates ${file}`);
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  // `wx`: never follow or overwrite a file someone else put there between the check and the write.
  writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return new TextEncoder().encode(secret);
}

const secretFile = (dataDir: string) => join(dataDir, 'hub-secret');

/** Reads a kept secret; a short one is refused (as HUB_SECRET is), and the file is narrowed back to 0600. */
function readSecretFile(file: string): Uint8Array {
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new Error(`${file} holds a secret shorter than 32 characters; delete it to have a new one generated`);
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return new TextEncoder().encode(secret);
}

const formatDays = (seconds: number) => `${+(seconds / 86400).toFixed(2)} days`;

/** Answers why a token of `ttlSeconds` would be refused by a hub allowing `maxSeconds`, or undefined when it would not. */
export function ttlTooLong(ttlSeconds: number, maxSeconds: number): string | undefined {
  return ttlSeconds > maxSeconds ? `is ${ttlSeconds} s; this hub accepts tokens living at most ${maxSeconds} s (${formatDays(maxSeconds)}, HUB_TOKEN_MAX_DAYS)` : undefined;
}

/**
 * `authTime` (epoch seconds) is when the session began: a refreshed token keeps its first
 * token's, so `POST /api/auth/refresh` can bound a session however often it is refreshed.
 */
export async function mintToken(
  key: Uint8Array,
  claims: Omit<TokenClaims, 'exp'>,
  ttlSeconds: number,
  authTime?: number,
): Promise<{ token: string; exp: number }> {
  const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
  const token = await new SignJWT({ role: claims.role, shows: claims.shows, ...(authTime !== undefined && { auth_time: authTime }) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(key);
  return { token, exp };
}

/** `authTime`: when the session began (the `auth_time` claim, else the token's `iat`); `iat` when it was issued. */
type VerifyResult = { ok: true; claims: TokenClaims; iat?: number; authTime?: number } | { ok: false; reason: string };

/**
 * Verifies signature (HS256 only: `none` and every other algorithm are refused), expiry, claim
 * shapes and, with `maxLifetimeSeconds`, that `exp` is not further away than that: a token
 * that lives for years (leaked once, valid forever) is refused even though its signature is good.
 */
export async function verifyToken(key: Uint8Array, token: string, opts: { maxLifetimeSeconds?: number; now?: number } = {}): Promise<VerifyResult> {
  try {
    // HS256 only (so `none` and key-confusion tricks fail); exp and sub must be there, not just valid when present.
    const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] });
    const parsed = tokenClaims.safeParse(payload);
    if (!parsed.success) return { ok: false, reason: 'token claims are invalid (need sub, role, shows, exp)' };
    const now = opts.now ?? Date.now() / 1000;
    if (opts.maxLifetimeSeconds !== undefined && parsed.data.exp - now > opts.maxLifetimeSeconds) {
      const days = (parsed.data.exp - now) / 86400;
      return {
        ok: false,
        reason: `token expires in ${days >= 10 ? Math.round(days) : days.toFixed(1)} days, beyond this hub's maximum token lifetime of ${formatDays(opts.maxLifetimeSeconds)} (HUB_TOKEN_MAX_DAYS); mint a shorter-lived token`,
      };
    }
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    const iat = num(payload.iat);
    const authTime = num(payload.auth_time) ?? iat;
    return { ok: true, claims: parsed.data, ...(iat !== undefined && { iat }), ...(authTime !== undefined && { authTime }) };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, reason: 'token has expired' };
    if (error instanceof errors.JOSEAlgNotAllowed) return { ok: false, reason: 'token algorithm is not allowed (HS256 only)' };
    if (error instanceof errors.JWSSignatureVerificationFailed) return { ok: false, reason: 'token signature is invalid' };
    if (error instanceof errors.JWTClaimValidationFailed) return { ok: false, reason: 'token claims are invalid (need sub, role, shows, exp)' };
    return { ok: false, reason: 'token is malformed' };
  }
}
