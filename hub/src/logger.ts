import type { FastifyServerOptions, onResponseHookHandler } from 'fastify';

/** Query parameters that carry credentials; their values never reach a log line. */
const SECRET_PARAMS = /([?&](?:access_token|token|secret|api_?key|signature|sig|password)=)[^&#]*/gi;

function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[redacted]');
}

/** pino options: credentials are redacted from headers and from URLs. */
export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: {
      // Object fields under these names, wherever a log call puts them (pino redacts by path, not by value:
      // never interpolate a credential into a message string).
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        'headers.authorization',
        'headers.cookie',
        '*.headers.authorization',
        '*.headers.cookie',
        ...['token', 'secret', 'apiSecret', 'password', 'authorization'].flatMap((k) => [k, `*.${k}`]),
      ],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { method: string; url: string; ip?: string; headers?: Record<string, unknown> }) => ({
        method: req.method,
        url: redactUrl(req.url),
        ip: req.ip,
      }),
    },
  };
}

/**
 * One line per answered request, instead of Fastify's two at info: 4xx/5xx at info (someone
 * should see refusals), the rest at debug, so a busy ingest does not write two JSON lines per
 * event. The `req` serializer above redacts credentials from the URL. Used with
 * `disableRequestLogging: true`.
 */
export const logRequest: onResponseHookHandler = (req, reply, done) => {
  const level = reply.statusCode >= 400 ? 'info' : 'debug';
  reply.log[level]({ req, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  done();
};
