import type { OperationDocs } from '../openapi/document-routes.js';

/** The settings routes' words in the OpenAPI document (tag: Settings). */
export const settingsDocs: OperationDocs = {
  'GET /api/config': {
    summary: "The hub's LiveKit and recording settings",
    description:
      'Admin only. The LiveKit URL, the key and secret as `set`/`unset` (never their values), the recording directory, and where each value comes from (`stored`, `environment`, `default`, `unset`).',
  },
  'PUT /api/config': {
    summary: "Change the hub's LiveKit or recording settings",
    description:
      'Admin only. New LiveKit settings are tried against that server first (400 naming the refusal if it does not accept them); the directory must be creatable and writable. A stored value wins over the environment until set to `null`. Every hub applies the change; each change publishes `config_changed` naming what changed, never a value.',
  },
};
