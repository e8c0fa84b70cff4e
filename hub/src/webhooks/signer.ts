import { createHmac, randomBytes } from 'node:crypto';

/** A fresh Standard Webhooks secret: `whsec_` + base64 of 24 random bytes (as Svix makes them). */
export const generateSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

const secretKey = (secret: string) => Buffer.from(secret.replace(/^whsec_/, ''), 'base64');

/**
 * The `webhook-signature` header of Standard Webhooks: `v1,<base64 HMAC-SHA256 of id.timestamp.body>`,
 * one per secret, space-separated, so a receiver holding either the old or the new secret
 * verifies during a rotation's grace period.
 */
export function signatureHeader(secrets: readonly string[], webhookId: string, timestamp: number, body: string): string {
  const content = `${webhookId}.${timestamp}.${body}`;
  return secrets.map((s) => `v1,${createHmac('sha256', secretKey(s)).update(content).digest('base64')}`).join(' ');
}
