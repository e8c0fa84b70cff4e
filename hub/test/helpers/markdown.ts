import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** The markdown pages of the repository the docs test keeps honest: the front door, docs/ and bench's. */
export function markdownFiles(repo: string): string[] {
  const under = (dir: string): string[] =>
    existsSync(dir)
      ? readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? under(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : []))
      : [];
  return [join(repo, 'README.md'), ...under(join(repo, 'docs')), join(repo, 'bench', 'README.md'), ...under(join(repo, 'bench', 'results'))].filter((f) => existsSync(f));
}

export interface CodeBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The fence's info string, e.g. "sh" or "sh norun"; empty when the fence has none. */
  info: string;
  body: string;
}

/** Every fenced code block (```), in document order. */
export function codeBlocks(file: string, text = readFileSync(file, 'utf8')): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && !/^\s*```\s*$/.test(lines[i]!)) body.push(lines[i]!.slice(open[1]!.length));
    blocks.push({ file, line: start + 1, info: open[2]!.trim(), body: body.join('\n') });
  }
  return blocks;
}

const shells = new Set(['sh', 'bash', 'shell', 'console']);
/** A shell block is run by the docs test unless its info string says `norun`. */
export const isShell = (b: CodeBlock) => shells.has(b.info.split(/\s+/)[0]!);
export const isRunnable = (b: CodeBlock) => isShell(b) && !b.info.split(/\s+/).includes('norun');

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
export const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');

function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1]!)));
}

/** Relative links (outside code) whose file or heading does not exist, as "file: target". */
export function brokenLinks(repo: string, file: string, text = readFileSync(file, 'utf8')): string[] {
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const broken: string[] = [];
  for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1]!;
    if (/^[a-z]+:/i.test(target)) continue;
    const [path, anchor] = target.split('#') as [string, string | undefined];
    const to = path ? resolve(dirname(file), path) : file;
    const where = `${relative(repo, file)}: ${target}`;
    if (!existsSync(to)) broken.push(where);
    else if (anchor && to.endsWith('.md') && !anchors(to).has(anchor)) broken.push(`${where} (no such heading)`);
  }
  return broken;
}
