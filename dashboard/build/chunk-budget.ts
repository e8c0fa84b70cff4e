import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** What the first page may load: its JavaScript, gzipped (the app's entry and what it imports statically). */
export const FIRST_LOAD_GZIP_BUDGET = 150 * 1024;
/** Any other chunk, minified (Vite's own warning limit). */
const CHUNK_LIMIT = 500 * 1024;

/**
 * The dashboard's size rules, checked on every build; Vite's one-size warning is replaced by them.
 * - The first load (the entry chunk and the chunks it imports statically) stays within 150 kB of
 *   gzip JavaScript, or the build fails, naming the chunks.
 * - A chunk loaded on demand may be larger than 500 kB only when it is one prebuilt library
 *   module (livekit-client ships as one 1.4 MB file, loaded only by listen-in): nothing splits it
 *   further. Any other large chunk is a warning, to be split.
 */
export function chunkBudget(): Plugin {
  return {
    name: 'showwire-chunk-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).flatMap((o) => (o.type === 'chunk' ? [o] : []));
      const byName = new Map(chunks.map((c) => [c.fileName, c]));
      const first = new Set<string>();
      const visit = (fileName: string) => {
        if (first.has(fileName)) return;
        first.add(fileName);
        for (const i of byName.get(fileName)?.imports ?? []) visit(i);
      };
      for (const c of chunks) if (c.isEntry) visit(c.fileName);
      const sizes = [...first].map((f) => ({ f, gzip: gzipSync(byName.get(f)!.code).length }));
      const total = sizes.reduce((n, s) => n + s.gzip, 0);
      if (total > FIRST_LOAD_GZIP_BUDGET) {
        const list = sizes.map((s) => `${s.f} ${kB(s.gzip)}`).join(', ');
        this.error(`the first page loads ${kB(total)} of gzip JavaScript, over its ${kB(FIRST_LOAD_GZIP_BUDGET)} budget (${list}): load more of it on demand`);
      }
      for (const c of chunks) {
        const size = Buffer.byteLength(c.code);
        if (size <= CHUNK_LIMIT) continue;
        const ownCode = c.moduleIds.filter((id) => !id.includes('/node_modules/') && !id.startsWith('\0'));
        const libraries = new Set(c.moduleIds.filter((id) => id.includes('/node_modules/')).map(packageOf));
        if (!first.has(c.fileName) && ownCode.length === 0 && libraries.size === 1) continue;
        this.warn(`${c.fileName} is ${kB(size)} minified (over ${kB(CHUNK_LIMIT)}): split it with a dynamic import()`);
      }
    },
  };
}

const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

/** `…/node_modules/@scope/name/…` or `…/node_modules/name/…` → the package's name. */
function packageOf(id: string): string {
  const rest = id.slice(id.lastIndexOf('/node_modules/') + '/node_modules/'.length).split('/');
  return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
}
