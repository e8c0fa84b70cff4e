import { InvalidArgumentError, Option, type Command } from 'commander';
import { EVENT_TYPE_PATTERN, SHOW_ID_PATTERN } from '@showwire/protocol';

/** Where the hub is and how to authenticate: flags first, then the environment the agent uses too. */
export interface HubOptions {
  hub: string;
  token?: string;
}

export function addHubOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--hub <url>', 'hub base URL').env('HUB_URL').default('http://127.0.0.1:8080').argParser(parseUrl))
    .addOption(new Option('--token <jwt>', 'hub token (not needed with HUB_AUTH=off)').env('HUB_TOKEN'));
}

function parseUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
    return url.href.replace(/\/+$/, '');
  } catch {
    throw new InvalidArgumentError('must be an http:// or https:// URL');
  }
}

const matching = (pattern: RegExp, what: string) => (item: string) => {
  if (!pattern.test(item)) throw new InvalidArgumentError(`"${item}" is not a valid ${what}`);
  return item;
};

const listOf = (pattern: RegExp, what: string) => {
  const one = matching(pattern, what);
  return (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean).map(one)];
};

/** `--show id`: one valid show id. */
export const showIdArg = matching(SHOW_ID_PATTERN, 'show id');
/** `--show a,b --show c` → [a, b, c], each a valid show id. */
export const showList = listOf(SHOW_ID_PATTERN, 'show id');
/** `--types a,b` → [a, b], each a valid event type. */
export const typeList = listOf(EVENT_TYPE_PATTERN, 'event type');

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number above 0');
  return n;
}

/** Seconds, where 0 means "no limit". */
export function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number of seconds, 0 or more');
  return n;
}
