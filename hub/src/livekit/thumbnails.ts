import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HttpError } from '../errors.js';

type ImageType = 'image/jpeg' | 'image/png' | 'image/webp';
const EXT: Record<ImageType, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

const invalidImage = (message: string) => new HttpError('invalid_image', message);

/** The image type from its first bytes (never from a claimed MIME type or name). */
function sniffImage(bytes: Uint8Array): ImageType | undefined {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && Buffer.from(b.subarray(0, 8)).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (b.length >= 12 && Buffer.from(b.subarray(0, 4)).toString('latin1') === 'RIFF' && Buffer.from(b.subarray(8, 12)).toString('latin1') === 'WEBP')
    return 'image/webp';
  return undefined;
}

/** Decodes a `data:image/…;base64,…` URL or raw base64 (strictly: stray characters are an error). */
function decodeImage(input: string): Buffer {
  const m = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(input);
  if (m && !m[2]) throw invalidImage('image: a data URL must be base64 encoded (data:image/…;base64,…)');
  const b64 = (m ? m[3]! : input).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) && !/^[A-Za-z0-9_-]*={0,2}$/.test(b64)) throw invalidImage('image: is not valid base64');
  // Node's base64 decoder reads the URL-safe alphabet too.
  return Buffer.from(b64, 'base64');
}

/**
 * Checks and stores a thumbnail under `<dataDir>/thumbnails/<sha256>.<ext>`: content-addressed,
 * so the name reveals nothing and re-uploads of the same image are free.
 */
export function storeThumbnail(dir: string, input: string, maxBytes: number): { name: string; contentType: ImageType; bytes: number } {
  const bytes = decodeImage(input);
  if (bytes.length === 0) throw invalidImage('image: is empty');
  if (bytes.length > maxBytes) throw new HttpError('payload_too_large', `image: is ${bytes.length} bytes; the limit is ${maxBytes} (HUB_THUMBNAIL_MAX_BYTES)`);
  const contentType = sniffImage(bytes);
  if (!contentType) throw invalidImage('image: is not a JPEG, PNG or WebP image (checked by its bytes)');
  const name = `${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}.${EXT[contentType]}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), bytes);
  return { name, contentType, bytes: bytes.length };
}

export const thumbnailDir = (dataDir: string) => join(dataDir, 'thumbnails');

/** The names storeThumbnail makes, and nothing else (no traversal). */
export const THUMBNAIL_NAME = /^[0-9a-f]{32}\.(jpg|png|webp)$/;

/** The content type of a stored thumbnail, from its name's extension. */
export const thumbnailType = (name: string) => (Object.keys(EXT) as ImageType[]).find((t) => name.endsWith(`.${EXT[t]}`));
