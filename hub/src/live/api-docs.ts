import type { OperationDocs } from '../openapi/document-routes.js';

/** The live-session routes' words in the OpenAPI document (tag: Live sessions). */
export const liveSessionDocs: OperationDocs = {
  'POST /api/live-sessions/start': {
    summary: 'Start a live session in a room',
    description: 'A server-side participant joins `room_name`, relays its media and, with `record_session`, records it. Staff, admin, or the show\'s host. 409 `session_active` when one already runs there.',
  },
  'POST /api/live-sessions/stop': {
    summary: 'Stop a live session',
    description: 'The participant leaves; a recording is closed into MP4 video and WAV audio. Staff, admin, or the show\'s host.',
  },
  'GET /api/live-sessions/active': {
    summary: 'Running live sessions',
    description: 'The sessions running on this hub. Staff, admin and hosts.',
  },
  'GET /api/live-sessions/ws/live/:roomName': {
    summary: "A live session's media (WebSocket)",
    description: 'Upgrade to WebSocket: binary messages are JPEG video frames, text messages `audio:` + base64 16-bit PCM, mono 48 kHz. Takes `?access_token=` (browsers cannot set headers here). Staff, admin, or the show\'s host; 404 when no session runs in the room.',
  },
};
