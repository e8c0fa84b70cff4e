import { ApiError } from '../lib/api.js';

/**
 * What went wrong for a host going live, in words the host can act on. Browsers name media
 * failures by DOMException name (getUserMedia); livekit-client throws ConnectionError when the
 * server cannot be reached; the hub answers in its own error shape (ApiError).
 */
export type HostProblem = 'permission' | 'no_device' | 'device_busy' | 'livekit_unreachable' | 'token' | 'agent' | 'other';

export interface HostError {
  problem: HostProblem;
  message: string;
}

export function mediaError(error: unknown): HostError {
  const name = error instanceof Error ? error.name : '';
  const detail = error instanceof Error ? error.message : String(error);
  if (name === 'NotAllowedError' || name === 'SecurityError' || /permission/i.test(detail)) {
    return { problem: 'permission', message: 'The browser was not allowed to use your camera and microphone. Allow them for this site (the camera icon in the address bar), then press Go live again.' };
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || /not found|requested device/i.test(detail)) {
    return { problem: 'no_device', message: 'No camera or microphone was found. Plug one in, or pick another in the device list, then press Go live again.' };
  }
  if (name === 'NotReadableError' || name === 'AbortError') {
    return { problem: 'device_busy', message: 'Your camera or microphone is in use by another app. Close it, then press Go live again.' };
  }
  return { problem: 'other', message: `The camera or microphone could not start: ${detail}` };
}

export function connectError(error: unknown, url: string): HostError {
  const detail = error instanceof Error ? error.message : String(error);
  if (error instanceof ApiError) {
    if (error.status === 401 || error.status === 403) return { problem: 'token', message: `The hub refused to let you host this show: ${error.message}` };
    if (error.status === 503 || error.status === 502) return { problem: 'livekit_unreachable', message: `The video server cannot be reached right now (${error.message}). Try again in a moment.` };
    return { problem: 'other', message: `The hub could not start your stream: ${error.message}` };
  }
  return { problem: 'livekit_unreachable', message: `The video server at ${url} cannot be reached (${detail}). Check your connection, then press Go live again.` };
}

export function agentError(error: unknown): HostError {
  const detail = error instanceof Error ? error.message : String(error);
  return { problem: 'agent', message: `The voice agent could not be started: ${detail}` };
}
