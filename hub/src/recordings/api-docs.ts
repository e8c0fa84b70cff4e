import type { OperationDocs } from '../openapi/document-routes.js';

/** The recordings routes' words in the OpenAPI document (tag: Recordings). */
export const recordingDocs: OperationDocs = {
  'GET /api/shows/:show/recordings': {
    summary: "A show's recordings",
    description:
      "Every recording a live session made of the show (from the log's `recording_ready` events, so every hub lists every hub's), newest first, each with its files' ids, kinds, sizes and sha256. The show's host, staff and admin; viewers, agents and services get 403.",
  },
  'GET /api/recordings/:id': {
    summary: 'One recording file, with Range',
    description:
      'The file (MP4, WAV or the Matroska original) whole or by `Range` (206; 416 `range_not_satisfiable` past its end), so a `<video>` can seek. Takes `?access_token=` for plain links. Under the show\'s read rules; 404 when this hub does not hold the file and no S3 store is configured (the answer says which hub made it).',
  },
};
