import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors.js';

/**
 * When the headers overflow Node's limit (16 KiB with the request line), a request line longer
 * than this is what overflowed them: the URL is to blame.
 */
const MAX_URL_BYTES = 8 * 1024;

/**
 * Node's HTTP parser refuses some requests before Fastify sees them (headers over
 * `maxHeaderSize`, a URL that fills them, garbage, a slow client): answered here in the hub's one
 * error shape, not Node's bodiless status line or Fastify's own JSON. When the headers overflow,
 * a request line with no end in sight (or a very long one) means the URL is to blame: 414, else 431.
 */
export function clientErrorHandler(this: FastifyInstance, err: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let error: HttpError;
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    const lineEnd = Buffer.isBuffer(err.rawPacket) ? err.rawPacket.indexOf('\r\n') : -1;
    error =
      lineEnd === -1 || lineEnd > MAX_URL_BYTES
        ? new HttpError('uri_too_long', `the URL is too long (over ${MAX_URL_BYTES} bytes, and 16 KiB with the headers); shorten the query`)
        : new HttpError('header_fields_too_large', 'the request headers are too large (16 KiB in all); send fewer or shorter headers or cookies');
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    error = new HttpError('request_timeout', 'the request did not arrive in time');
  } else {
    error = new HttpError('bad_request', `the request is not valid HTTP (${err.code ?? 'parse error'})`);
  }
  this.log.debug({ code: err.code }, 'client error');
  if (socket.writable) {
    const body = JSON.stringify(error.body());
    socket.write(
      `HTTP/1.1 ${error.statusCode} ${STATUS_CODES[error.statusCode]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
