import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Plugin } from 'vite';

const gzipAsync = promisify(gzip);

/**
 * Writes a `.gz` beside every built script and stylesheet under `assets/`, compressed once at the
 * best level: the hub sends it to browsers that accept gzip (its static files are `preCompressed`),
 * so a first load moves about a quarter of the bytes, with no compression per request. (Brotli at
 * its best level took seconds per build for a few percent less.) index.html stays as it is: small,
 * and the hub reads it to hash its inline content.
 */
export function precompress(): Plugin {
  return {
    name: 'showwire-precompress',
    apply: 'build',
    async writeBundle(options, bundle) {
      const dir = options.dir!;
      const files = Object.entries(bundle).filter(([fileName]) => fileName.startsWith('assets/') && /\.(js|css)$/.test(fileName));
      // Off the main thread (zlib's pool), all files at once.
      await Promise.all(
        files.map(async ([fileName, output]) => {
          const source = Buffer.from(output.type === 'chunk' ? output.code : output.source);
          await writeFile(join(dir, `${fileName}.gz`), await gzipAsync(source, { level: 9 }));
        }),
      );
    },
  };
}
