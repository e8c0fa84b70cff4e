import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { summarize, type ErrorBody, type Issue } from '@showwire/protocol';
import { HttpError } from './errors.js';
import { StoreUnavailableError } from './log/event-log.js';

const CONTEXT: Record<string, string> = { body: '', querystring: '', params: '', headers: 'header ' };

function send(reply: FastifyReply, status: number, body: ErrorBody) {
  return reply.code(status).type('application/json').send(body);
}

/**
 * Every error becomes `{ error, message, issues? }`: 4xx name what was wrong; 5xx say nothing of
 * the internals (the log has the details, under the request id).
 */
export function errorHandler(error: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (error instanceof HttpError) {
    if (error.headers) reply.headers(error.headers);
    return send(reply, error.statusCode, error.body());
  }
  // Redis away (HUB_STORE=redis): a 503 naming it, never a 2xx for an event that was not stored.
  if ((error as unknown) instanceof StoreUnavailableError) {
    reply.header('Retry-After', '1');
    return send(reply, 503, { error: 'store_unavailable', message: error.message });
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const prefix = CONTEXT[error.validationContext ?? ''] ?? '';
    const issues: Issue[] = error.validation.map((v) => ({
      path: prefix + (v.instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.') || '(body)'),
      message: v.message ?? 'is invalid',
    }));
    return send(reply, 400, { error: 'validation_failed', message: `invalid ${error.validationContext ?? 'request'}: ${summarize(issues)}`, issues });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return send(reply, 413, { error: 'payload_too_large', message: `request body is over this route's limit of ${req.routeOptions.bodyLimit ?? 'the configured'} bytes` });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return send(reply, 415, { error: 'unsupported_media_type', message: `Content-Type "${req.headers['content-type'] ?? ''}" is not accepted here; send application/json` });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return send(reply, 400, { error: 'invalid_json', message: 'body is empty; send a JSON object or array' });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return send(reply, 400, { error: 'invalid_json', message: `body is not valid JSON: ${error.message}` });
  }
  if (error instanceof SyntaxError && error.statusCode === 400) {
    return send(reply, 400, { error: 'invalid_json', message: `body is not valid JSON: ${error.message}` });
  }
  const status = error.statusCode ?? 500;
  if (status === 429) {
    return send(reply, 429, { error: 'rate_limited', message: error.message });
  }
  if (status >= 400 && status < 500) {
    return send(reply, status, { error: (error.code ?? 'bad_request').toLowerCase(), message: error.message });
  }
  req.log.error({ err: error }, 'request failed');
  return send(reply, 500, { error: 'internal', message: `the hub failed to handle this request (request id ${req.id})` });
}

export function notFoundHandler(req: FastifyRequest, reply: FastifyReply) {
  return send(reply, 404, { error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` });
}
