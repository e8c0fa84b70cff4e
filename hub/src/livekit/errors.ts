import { ServerError } from 'livekit-server-sdk';
import { HttpError } from '../errors.js';

/** LiveKit is not configured on this hub: 503 naming the variables to set. */
export const livekitUnconfigured = () =>
  new HttpError('livekit_unconfigured', 'LiveKit is not configured on this hub: set LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET');

export class LiveKitTimeout extends Error {}

/**
 * Turns whatever a LiveKit call threw into a client error that names LiveKit and the call:
 * unreachable or too slow → 503, LiveKit's own 404 → 404, anything else LiveKit answered → 502.
 * Never a stack trace, never the API secret.
 */
export function livekitError(what: string, url: string, error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof LiveKitTimeout) return new HttpError('livekit_unavailable', `LiveKit server at ${url} did not answer ${what} in time (${error.message})`);
  if (error instanceof ServerError) {
    if (error.status === 404 || error.code === 'not_found') return new HttpError('not_found', `LiveKit: ${what} failed: ${error.message}`);
    if (error.status === 401 || error.status === 403)
      return new HttpError('livekit_error', `LiveKit refused ${what} (${error.status}): check LIVEKIT_API_KEY / LIVEKIT_API_SECRET`);
    if (error.status >= 500 || error.status === 0) return new HttpError('livekit_unavailable', `LiveKit server at ${url} failed ${what}: ${error.message}`);
    return new HttpError('livekit_error', `LiveKit rejected ${what} (${error.status}): ${error.message}`);
  }
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError')
    return new HttpError('livekit_unavailable', `LiveKit server at ${url} did not answer ${what} in time`);
  const reason = err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(error);
  return new HttpError('livekit_unavailable', `LiveKit server at ${url} is unreachable (${what}: ${reason})`);
}
