#!/usr/bin/env node
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { mintTokenBody, roles, summarize, zodIssues } from '@showwire/protocol';
import { ConfigError, loadConfig } from '../config.js';
import { loadEnvFile } from '@showwire/protocol/env-file';
import { loadSecret, mintToken, ttlTooLong } from './tokens.js';

/**
 * `npm run token -w hub -- --role host --shows show-1 --ttl 3600`: mints a hub token from the
 * terminal with the hub's own key (HUB_SECRET, else the secret file in HUB_DATA_DIR). Prints the
 * token alone on stdout (for `$(…)`), its claims on stderr. It never creates a secret: a token
 * signed by a key the hub doesn't use would only fail later.
 */
const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of seconds');
  return n;
};

const program = new Command('token')
  .description('mint a Showwire hub token')
  .addOption(new Option('--role <role>', 'the token role').choices(roles).makeOptionMandatory())
  .option('--shows <ids>', 'comma-separated show ids, or * for every show', '*')
  .option('--ttl <seconds>', 'lifetime in seconds', positive, 24 * 3600)
  .option('--sub <subject>', 'who the token is for (default: cli-<role>)')
  .action(async (opts: { role: (typeof roles)[number]; shows: string; ttl: number; sub?: string }) => {
    const config = loadConfig();
    // npm runs workspace scripts in hub/; a relative HUB_DATA_DIR means where the command was typed.
    const dataDir = resolve(process.env.INIT_CWD ?? process.cwd(), config.HUB_DATA_DIR);
    let key: Uint8Array;
    try {
      key = loadSecret(config.HUB_SECRET, dataDir, { create: false });
    } catch (error) {
      throw new ConfigError((error as Error).message);
    }
    const body = mintTokenBody.safeParse({ sub: opts.sub ?? `cli-${opts.role}`, role: opts.role, shows: opts.shows.split(',').map((s) => s.trim()).filter(Boolean), ttlSeconds: opts.ttl });
    if (!body.success) throw new ConfigError(`invalid token request: ${summarize(zodIssues(body.error))}`);
    const { sub, role, shows, ttlSeconds } = body.data;
    const tooLong = ttlTooLong(ttlSeconds, config.HUB_TOKEN_MAX_DAYS * 86400);
    if (tooLong) throw new ConfigError(`invalid token request: ttlSeconds: ${tooLong}`);
    const { token, exp } = await mintToken(key, { sub, role, shows }, ttlSeconds);
    process.stderr.write(`${role} token for ${sub}, shows ${shows.join(',')}, expires ${new Date(exp * 1000).toISOString()}\n`);
    process.stdout.write(`${token}\n`);
  });

loadEnvFile();
program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`token: ${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
