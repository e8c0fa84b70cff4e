import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { z } from 'zod';
import { schema as hubSchema } from '../../hub/src/config.ts';
import { schema as agentSchema } from '../../agent/src/config.ts';

/**
 * docs/configuration.md, generated from the zod schemas the hub and the agent validate their
 * environment with, so the page cannot drift from what the programs accept: names and order,
 * defaults, allowed values and ranges come from the schemas, the words from the doc comment
 * beside each key. `npm run docs:config` rewrites the file; hub/test/docs.test.ts fails when the
 * committed file differs from what this renders.
 */

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CONFIGURATION_MD = join(repo, 'docs', 'configuration.md');

type JsonSchema = {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  pattern?: string;
  format?: string;
};

/** The doc comment of each key of the file's first `z.object({...})`, in source order. */
function docComments(file: string): Map<string, string> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const comments = new Map<string, string>();
  let done = false;
  const visit = (node: ts.Node): void => {
    if (done) return;
    if (ts.isCallExpression(node) && node.expression.getText(source) === 'z.object' && node.arguments[0] && ts.isObjectLiteralExpression(node.arguments[0])) {
      for (const prop of node.arguments[0].properties) {
        if (!ts.isPropertyAssignment(prop)) continue;
        const docs = ts.getJSDocCommentsAndTags(prop).filter(ts.isJSDoc);
        const text = docs.map((d) => ts.getTextOfJSDocComment(d.comment) ?? '').join(' ').replace(/\s+/g, ' ').trim();
        comments.set(prop.name.getText(source), text);
      }
      done = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return comments;
}

const code = (v: string) => '`' + v + '`';

function shown(value: unknown): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.length ? code(value.join(',')) : '(empty)';
  return code(typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value));
}

/** What a variable accepts, in words, from the input side (what is typed) and the output side (ranges after parsing). */
function accepts(input: JsonSchema, output: JsonSchema): string {
  if (input.enum) return input.enum.map((v) => code(String(v))).join(' \\| ');
  const parts: string[] = [];
  if (input.pattern === '^-?\\d+$' || output.type === 'integer') parts.push('whole number');
  else if (input.format === 'uri') parts.push('URL');
  else if (input.pattern) parts.push(`matches ${code(input.pattern)}`);
  else if (output.type === 'number' || input.type === 'number') parts.push('number');
  else parts.push('text');
  if (output.minimum !== undefined && output.maximum !== undefined) parts.push(`${output.minimum.toLocaleString('en-US')} … ${output.maximum.toLocaleString('en-US')}`);
  else if (output.maximum !== undefined) parts.push(`≤ ${output.maximum.toLocaleString('en-US')}`);
  if (output.exclusiveMinimum !== undefined) parts.push(`> ${output.exclusiveMinimum}`);
  if (input.minLength === 1) parts.push('not empty');
  else if (input.minLength) parts.push(`at least ${input.minLength} characters`);
  return parts.join(', ').replace(/\|/g, '\\|');
}

function table(schema: z.ZodObject, file: string): string {
  const words = docComments(file);
  const inputs = (z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, JsonSchema> }).properties;
  const outputs = (z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as { properties: Record<string, JsonSchema> }).properties;
  const rows = ['| variable | default | accepts | what it does |', '|---|---|---|---|'];
  let lastDocumented = '';
  for (const [name, field] of Object.entries(schema.shape)) {
    const unset = (field as z.ZodType).safeParse(undefined);
    const input = inputs[name] ?? {};
    // The default as one would type it (the schedule's "5s,5m,…"), else what an unset variable parses to.
    const fallback = input.default !== undefined ? input.default : unset.success ? unset.data : undefined;
    const dflt = unset.success ? shown(fallback) || 'unset' : '**required**';
    // A key without a comment of its own belongs to the group the comment above it opened.
    const own = words.get(name) ?? '';
    const text = own || (lastDocumented ? `See ${code(lastDocumented)}.` : '');
    if (own) lastDocumented = name;
    rows.push(`| ${code(name)} | ${dflt} | ${accepts(input, outputs[name] ?? {})} | ${text.replace(/\|/g, '\\|')} |`);
  }
  return rows.join('\n');
}

export function renderConfiguration(): string {
  return `<!-- Generated by docs/tools/configuration.ts from hub/src/config.ts and agent/src/config.ts: edit those, then run \`npm run docs:config\`. -->
# Configuration

Every setting is an environment variable, validated at start: a bad value stops the program with
one line per bad variable (the hub exits with code 2, [production](production.md#start-up-errors)).
An empty value (\`KEY=\` in a \`.env\` file) counts as unset. \`npm start\`, the agent, the hub's
token CLI and the \`stream-test\` CLI also read \`.env\` from where they were started; the real
environment wins over the file. \`.env.example\` lists them with a comment each.

## The hub

${table(hubSchema, join(repo, 'hub', 'src', 'config.ts'))}

## The voice agent

The agent also reads \`LIVEKIT_URL\`, \`LIVEKIT_API_KEY\` and \`LIVEKIT_API_SECRET\` through the
LiveKit Agents framework ([LiveKit and the agent](livekit-and-agent.md)).

${table(agentSchema, join(repo, 'agent', 'src', 'config.ts'))}
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(CONFIGURATION_MD, renderConfiguration());
  process.stdout.write(`wrote ${CONFIGURATION_MD}\n`);
}
