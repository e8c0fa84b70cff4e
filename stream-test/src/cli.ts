#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { demoCommand } from './commands/demo.js';
import { listenCommand } from './commands/listen.js';
import { loadCommand } from './commands/load.js';
import { replayCommand } from './commands/replay.js';
import { sendCommand } from './commands/send.js';
import { simulateCommand } from './commands/simulate.js';
import { CliError, ExitCode } from './exit-codes.js';
import { loadEnvFile } from '@showwire/protocol/env-file';

loadEnvFile();

const program = new Command('stream-test')
  .description('Send to, listen to, simulate, replay and load-test a Showwire hub')
  .showHelpAfterError('(add --help for usage)')
  .addHelpText(
    'after',
    `
Every command reads --hub from HUB_URL and --token from HUB_TOKEN when not given.
Exit codes: 0 ok, 1 crash (a bug), 2 usage, 3 hub unreachable or 5xx, 4 token refused (401/403),
5 invalid event or request (400/413/415, or refused locally), 6 listen --timeout before --count.`,
  );

for (const cmd of [listenCommand, sendCommand, simulateCommand, loadCommand, demoCommand, replayCommand]) program.addCommand(cmd);
// Commander exits 1 on usage errors; scripts get 2 (1 is reserved for crashes).
for (const cmd of [program, ...program.commands]) cmd.exitOverride().showHelpAfterError('(add --help for usage)');

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof CommanderError) {
    process.exit(error.exitCode === 0 ? ExitCode.ok : ExitCode.usage);
  } else if (error instanceof CliError) {
    process.stderr.write(`stream-test: ${error.message}\n`, () => process.exit(error.exitCode));
  } else {
    throw error;
  }
}
