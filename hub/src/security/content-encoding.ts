import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../errors.js';

/** What Fastify reads from a stream that replaces the request's: the bytes that came off the wire. */
type Decoded = NodeJS.ReadableStream & { receivedEncodedLength: number };

const DECODERS = { gzip: createGunzip, 'x-gzip': createGunzip, deflate: createInflate } as const;

const hasBody = (req: FastifyRequest) => req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/**
 * `Content-Encoding: gzip` and `deflate` request bodies are inflated before parsing; any other
 * encoding gets a 415 that says which ones work. The route's body limit applies to the
 * *inflated* size, counted as it inflates, so a gzip bomb (a few KiB that inflate to gigabytes)
 * is cut off at the limit with a 413 and never inflated further. Fastify checks the
 * Content-Length against the bytes read off the wire (`receivedEncodedLength`).
 */
export const contentEncodingPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('preParsing', async (req, _reply, payload) => {
      const header = req.headers['content-encoding'];
      if (header === undefined || !hasBody(req)) return payload;
      const encoding = header.trim().toLowerCase();
      if (encoding === '' || encoding === 'identity') return payload;
      if (!Object.hasOwn(DECODERS, encoding)) {
        throw new HttpError('unsupported_content_encoding', `Content-Encoding "${header.slice(0, 64)}" is not accepted; send the body uncompressed, or with gzip or deflate`);
      }
      const limit = req.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? 1024 * 1024;
      return decode(payload, DECODERS[encoding as keyof typeof DECODERS](), encoding, limit);
    });
  },
  { name: 'showwire-content-encoding' },
);

function decode(wire: NodeJS.ReadableStream, inflate: Transform, encoding: string, limit: number): Decoded {
  let inflated = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      inflated += chunk.length;
      if (inflated > limit) {
        done(new HttpError('payload_too_large', `request body inflates (${encoding}) to over this route's limit of ${limit} bytes`));
        return;
      }
      done(null, chunk);
    },
  }) as unknown as Transform & Decoded;
  counter.receivedEncodedLength = 0;
  wire.on('data', (chunk: Buffer) => (counter.receivedEncodedLength += chunk.length));
  wire.on('error', (error: Error) => counter.destroy(error));
  inflate.on('error', (error: Error) =>
    counter.destroy(new HttpError('invalid_body_encoding', `body is not valid ${encoding} data: ${error.message}`)),
  );
  // Stop inflating (and reading) as soon as the limit is hit or the request fails.
  counter.on('error', () => {
    inflate.destroy();
    (wire as NodeJS.ReadableStream & { unpipe?: () => void }).unpipe?.();
  });
  wire.pipe(inflate).pipe(counter);
  return counter;
}
