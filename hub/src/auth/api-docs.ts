import type { OperationDocs } from '../openapi/document-routes.js';

/** The token routes' words in the OpenAPI document (tag: Auth). */
export const authDocs: OperationDocs = {
  'POST /api/auth/tokens': {
    summary: 'Mint a hub token',
    description: 'An admin mints a JWT `{sub, role, shows}` for a host, agent, service, staff member or viewer, valid `ttlSeconds` (at most HUB_TOKEN_MAX_DAYS). 403 for any other role.',
  },
  'POST /api/auth/refresh': {
    summary: 'Refresh a session',
    description: 'Trades a valid token for a fresh one with the same claims, up to HUB_SESSION_MAX_HOURS after the first sign-in (401 after that). 400 `nothing_to_refresh` with auth off or a token without `iat`.',
  },
};
