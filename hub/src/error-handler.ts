import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { SHOW_ID_MAX_LENGTH, summarize, type Issue } from '@showwire/protocol';
import { codeForStatus, HttpError } from './errors.js';
import { StoreUnavailableError } from './log/event-log.js';

const CONTEXT: Record<string, string> = { body: '', querystring: '', params: '', headers: 'header ' };

function send(reply: FastifyReply, error: HttpError) {
  if (error.headers) reply.headers(error.headers);
  return reply.code(error.statusCode).type('application/json; charset=utf-8').send(error.body());
}

/** Fastify's own refusals, by code, as the catalogue's errors. */
function fromFastify(error: FastifyError, req: FastifyRequest): HttpError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError('payload_too_large', `request body is over this route's limit of ${req.routeOptions.bodyLimit ?? 'the configured'} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpError('unsupported_media_type', `Content-Type "${req.headers['content-type'] ?? ''}" is not accepted here; send application/json`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpError('invalid_json', 'body is empty; send a JSON object or array');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HttpError('invalid_json', `body is not valid JSON: ${error.message}`);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return noRoute(req);
    case 'FST_ERR_BAD_URL':
      return new HttpError('bad_request', `the URL ${req.url.slice(0, 200)} is not a valid URL (bad percent-encoding?)`);
  }
  if (error instanceof SyntaxError && error.statusCode === 400) return new HttpError('invalid_json', `body is not valid JSON: ${error.message}`);
  return undefined;
}

/** Path parameters longer than this get 414 (show ids are up to 128 characters). */
export const MAX_PARAM_LENGTH = 256;

/**
 * Every error becomes `{ error, message, issues? }` with a code of the catalogue (errors.ts):
 * 4xx name what was wrong; 5xx say nothing of the internals (the log has the details, under the
 * request id).
 */
export function errorHandler(error: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (error instanceof HttpError) return send(reply, error);
  // Redis away (HUB_STORE=redis): a 503 naming it, never a 2xx for an event that was not stored.
  if ((error as unknown) instanceof StoreUnavailableError) {
    return send(reply, new HttpError('store_unavailable', error.message, undefined, { 'Retry-After': '1' }));
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const prefix = CONTEXT[error.validationContext ?? ''] ?? '';
    const issues: Issue[] = error.validation.map((v) => ({
      path: prefix + (v.instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.') || '(body)'),
      message: v.message ?? 'is invalid',
    }));
    return send(reply, new HttpError('validation_failed', `invalid ${error.validationContext ?? 'request'}: ${summarize(issues)}`, issues));
  }
  const known = fromFastify(error, req);
  if (known) return send(reply, known);
  const status = isResponseSerializationError(error) ? 500 : (error.statusCode ?? 500);
  if (status < 500) return send(reply, new HttpError(codeForStatus(status), error.message));
  req.log.error({ err: error }, 'request failed');
  return send(reply, new HttpError(codeForStatus(status), `the hub failed to handle this request (request id ${req.id})`));
}

/**
 * No route matched. A path segment over MAX_PARAM_LENGTH gets 414, as Fastify answers when no
 * other route catches it (the dashboard's `/*` would otherwise turn it into a 404).
 */
export function noRoute(req: FastifyRequest): HttpError {
  const path = req.url.split('?')[0]!;
  if (path.split('/').some((segment) => segment.length > MAX_PARAM_LENGTH)) {
    return new HttpError('uri_too_long', `a path segment of ${path.slice(0, 200)} is too long (at most ${MAX_PARAM_LENGTH} characters; show ids are at most ${SHOW_ID_MAX_LENGTH})`);
  }
  return new HttpError('not_found', `no route ${req.method} ${path}`);
}

export function notFoundHandler(req: FastifyRequest, reply: FastifyReply) {
  return send(reply, noRoute(req));
}
