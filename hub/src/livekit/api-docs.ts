import type { OperationDocs } from '../openapi/document-routes.js';

const tokenRule = 'Viewer tokens are open to anyone (subscribe only, with a viewer hub token for that show); host grants need an admin or a host token for the room. The identity is the hub\'s to give: 403 for the reserved `showwire-` prefix, 409 `identity_in_use`.';

/** The LiveKit routes' words in the OpenAPI document (tag: LiveKit). */
export const livekitDocs: OperationDocs = {
  'POST /api/streaming/token': {
    summary: 'A LiveKit token to join a show',
    description: `A LiveKit room token and the server URL for \`roomName\`, as a viewer or (\`isHost\`/\`role\`) a host. ${tokenRule} 503 \`livekit_unconfigured\` without LiveKit.`,
  },
  'GET /api/livekit/token': {
    summary: 'A LiveKit token (setup doc, query)',
    description: `\`?room=&username=&admin=\`: a room token and URL; \`admin\` asks for host grants. ${tokenRule}`,
  },
  'POST /api/livekit/token': {
    summary: 'A LiveKit token (setup doc, body)',
    description: `The same as the GET, with the fields in a JSON body. ${tokenRule}`,
  },
  'GET /api/streaming/rooms': {
    summary: 'Live rooms',
    description: 'The rooms LiveKit has now, with their title and thumbnail (the Live Now grid). Public: a browse screen lists shows before anyone has a token. 503 when LiveKit is unreachable or not configured.',
  },
  'PUT /api/streaming/rooms/:roomName/metadata': {
    summary: "Set a room's metadata",
    description: "Merges title and thumbnail into the room's metadata and publishes `show_metadata`. Admin, or a host of the show. 404 when LiveKit has no such live room.",
  },
  'POST /api/streaming/rooms/:roomName/end': {
    summary: 'End a live room',
    description: "Deletes the LiveKit room, so everyone leaves; LiveKit's `room_finished` then ends the show (`show_ended`). Admin, or a host of the show. 404 for no such live room.",
  },
  'POST /api/streaming/dispatch-agent': {
    summary: 'Send the voice agent into a room',
    description: 'Creates a LiveKit agent dispatch for `roomName` (the agent name defaults to AGENT_NAME). Admin, or a host of the show.',
  },
  'POST /api/agent/start': {
    summary: 'Start the agent (streaming guide path)',
    description: 'The agent streaming guide\'s call: dispatches the agent to `roomName`, or to `default` with no body. Admin, or a host of the show.',
  },
  'POST /api/streaming/upload-thumbnail': {
    summary: 'Upload a show thumbnail',
    description: 'A base64 JPEG, PNG or WebP (400 `invalid_image` otherwise), stored by the hub and served under `/thumbnails/`; answers its URL. Admin or host (of `roomName`, when given).',
  },
  'GET /thumbnails/:name': {
    summary: 'A stored thumbnail',
    description: 'The image as uploaded, public (thumbnails are what a show\'s public page shows). 404 for an unknown name.',
  },
  'POST /api/livekit/webhook': {
    summary: "LiveKit's webhook into the hub",
    description: 'Called by the LiveKit server, not by people: `application/webhook+json` signed in `Authorization` with the LiveKit key; room and participant events become show events (`show_started`, `viewer_joined`, …). 401 when the signature fails.',
  },
};
