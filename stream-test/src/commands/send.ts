import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { isKnownType, knownEventFields, parseEventBatch, type EventInput } from '@showwire/protocol';
import { CliError, ExitCode } from '../exit-codes.js';
import { issueLines, postEvents } from '../hub-client.js';
import { addHubOptions, showList, type HubOptions } from '../options.js';
import { finish } from '../run.js';

interface SendOptions extends HubOptions {
  show?: string[];
  type?: string;
  text?: string;
  field: Array<[string, unknown]>;
  file?: string;
  json?: boolean;
}

/** `--field key=value`: the value is JSON when it parses (42, true, {"a":1}), a string otherwise. */
function field(value: string, previous: Array<[string, unknown]> = []): Array<[string, unknown]> {
  const eq = value.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError('must be key=value');
  const raw = value.slice(eq + 1);
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    /* a plain string */
  }
  return [...previous, [value.slice(0, eq), parsed]];
}

/** `--text` fills `text`, or `message` for the known types that have a message and no text (agent_ready, agent_error). */
function textField(type: string): string {
  if (!isKnownType(type)) return 'text';
  const fields = knownEventFields[type] as Record<string, unknown>;
  return 'text' in fields || !('message' in fields) ? 'text' : 'message';
}

function readJson(source: string, where: string): unknown {
  try {
    return JSON.parse(source);
  } catch (error) {
    throw new CliError(ExitCode.rejected, `${where} is not valid JSON: ${(error as Error).message}`);
  }
}

function eventsFrom(opts: SendOptions): unknown {
  if (opts.type) {
    const event: Record<string, unknown> = { type: opts.type };
    if (opts.text !== undefined) event[textField(opts.type)] = opts.text;
    for (const [k, v] of opts.field) event[k] = v;
    return event;
  }
  if (opts.text !== undefined || opts.field.length) throw new CliError(ExitCode.usage, '--text and --field need --type');
  if (opts.file && opts.file !== '-') {
    let text: string;
    try {
      text = readFileSync(opts.file, 'utf8');
    } catch (error) {
      throw new CliError(ExitCode.usage, `cannot read ${opts.file}: ${(error as Error).message}`);
    }
    return readJson(text, opts.file);
  }
  if (process.stdin.isTTY) throw new CliError(ExitCode.usage, 'give --type, --file, or pipe an event (or an array of events) as JSON on stdin');
  return readJson(readFileSync(0, 'utf8'), 'stdin');
}

export const sendCommand = addHubOptions(
  new Command('send')
    .description('post one event (from flags), or a JSON event or array (from --file or stdin), after checking it against the protocol')
    .option('--show <id>', 'the show to post to (default: the event\'s own "show", else "default")', showList)
    .option('--type <type>', 'event type; without it the event is read as JSON from --file or stdin')
    .option('--text <text>', 'the event\'s text (its "message" for agent_ready and agent_error)')
    .option('--field <key=value>', 'any other field; value parsed as JSON when it can be (repeatable)', field, [])
    .option('--file <path>', 'a JSON event or array of events ("-" for stdin)')
    .option('--json', 'print the hub\'s answer as JSON'),
).addHelpText(
  'after',
  `
Examples:
  stream-test send --show show-1 --type transcript --text "Hi there" --field role=agent
  stream-test send --show show-1 --type product_added_to_show --field productId=prod-7
  echo '{"type":"test","message":"Hello from stdin"}' | stream-test send --show show-1
  stream-test send --show show-1 --file events.json

Exit codes: 0 stored, 2 usage, 3 hub unreachable, 4 token refused, 5 invalid event (checked
locally first, then by the hub: the message names each failing field).`,
).action(async (opts: SendOptions) => {
  if (opts.show && opts.show.length > 1) throw new CliError(ExitCode.usage, '--show takes one show id here');
  const show = opts.show?.[0];
  const parsed = parseEventBatch(eventsFrom(opts));
  if (!parsed.ok) {
    throw new CliError(ExitCode.rejected, `invalid event:${issueLines(parsed.issues)}`);
  }
  const events: EventInput[] = parsed.value;
  const answer = await postEvents(opts, show, events.length === 1 ? events[0]! : events);
  if (opts.json) process.stdout.write(`${JSON.stringify(answer)}\n`);
  else {
    const where = show ?? (events[0]?.show) ?? 'default';
    process.stdout.write(`sent ${events.length} event${events.length === 1 ? '' : 's'} to ${where}: id ${answer.ids.join(', ')} (${answer.clients_notified} clients notified)\n`);
  }
  finish(ExitCode.ok);
});
