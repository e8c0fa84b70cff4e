import type { ErrorBody, Issue } from '@showwire/protocol';
import { summarize } from '@showwire/protocol';

/**
 * Every error code the hub answers, each with its one HTTP status: the only place a status is
 * paired with a code. Fastify's and Node's own refusals (bad JSON, 413, 414, 415, 431) are
 * mapped onto these by `error-handler.ts` and `client-error.ts`, so a client switches on `error`
 * and never sees two names for one thing.
 */
export const ERROR_CODES = {
  bad_request: 400,
  validation_failed: 400,
  invalid_json: 400,
  invalid_image: 400,
  invalid_body_encoding: 400,
  nothing_to_refresh: 400,
  webhook_url_refused: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  request_timeout: 408,
  endpoint_disabled: 409,
  session_active: 409,
  show_ended: 409,
  already_acknowledged: 409,
  agent_not_present: 409,
  identity_in_use: 409,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  unsupported_content_encoding: 415,
  /** A Range past the end of a file (recordings). */
  range_not_satisfiable: 416,
  rate_limited: 429,
  header_fields_too_large: 431,
  internal: 500,
  not_implemented: 501,
  livekit_error: 502,
  control_failed: 502,
  agent_rpc_failed: 502,
  unavailable: 503,
  livekit_unavailable: 503,
  livekit_unconfigured: 503,
  store_unavailable: 503,
  storage_unavailable: 503,
  too_many_connections: 503,
  too_many_publish_streams: 503,
  insufficient_storage: 507,
} as const satisfies Record<string, number>;

type ErrorCode = keyof typeof ERROR_CODES;

/** The code a bare status maps to, for errors that come with a status only (Fastify's, plugins'). */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401: return 'unauthorized';
    case 403: return 'forbidden';
    case 404: return 'not_found';
    case 408: return 'request_timeout';
    case 413: return 'payload_too_large';
    case 414: return 'uri_too_long';
    case 415: return 'unsupported_media_type';
    case 416: return 'range_not_satisfiable';
    case 429: return 'rate_limited';
    case 431: return 'header_fields_too_large';
    case 503: return 'unavailable';
    default: return status >= 500 ? 'internal' : 'bad_request';
  }
}

/** An error meant for the client: a code of the catalogue (which fixes the status) and a message a person can act on. */
export class HttpError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: Issue[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.statusCode = ERROR_CODES[code];
  }

  body(): ErrorBody {
    return { error: this.code, message: this.message, ...(this.issues && { issues: this.issues }) };
  }
}

export const badRequest = (issues: Issue[], prefix = 'invalid request') => new HttpError('validation_failed', `${prefix}: ${summarize(issues)}`, issues);
export const unauthorized = (message: string) => new HttpError('unauthorized', message, undefined, { 'WWW-Authenticate': 'Bearer' });
export const forbidden = (message: string) => new HttpError('forbidden', message);
export const notFound = (message: string) => new HttpError('not_found', message);
export const unavailable = (message: string) => new HttpError('unavailable', message, undefined, { 'Retry-After': '1' });
