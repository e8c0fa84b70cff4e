import { badRequest } from '../errors.js';

/**
 * What a person types, as an FTS5 query that cannot be a syntax error: `"a phrase"` stays a
 * phrase, `word*` is a prefix, `OR` between two terms is kept, every other term must match. Each
 * term is quoted, so FTS5's operators (`NEAR`, `:`, `^`, `-`) in the input are plain words.
 */
export function toFtsQuery(input: string): string {
  const terms: string[] = [];
  for (const m of input.matchAll(/"([^"]*)"?|(\S+)/g)) {
    const phrase = m[1];
    if (phrase !== undefined) {
      if (/[\p{L}\p{N}]/u.test(phrase)) terms.push(quote(phrase));
      continue;
    }
    const word = m[2]!;
    if (word === 'OR' && terms.length && terms.at(-1) !== 'OR') {
      terms.push('OR');
      continue;
    }
    const prefix = word.endsWith('*');
    const bare = word.replace(/\*+$/, '');
    if (!/[\p{L}\p{N}]/u.test(bare)) continue;
    terms.push(quote(bare) + (prefix ? '*' : ''));
  }
  if (terms.at(-1) === 'OR') terms.pop();
  if (!terms.length) throw badRequest([{ path: 'q', message: 'must contain at least one letter or digit' }]);
  return terms.join(' ');
}

const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
