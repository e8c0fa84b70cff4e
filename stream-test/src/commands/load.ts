import { Command } from 'commander';

// Placeholder until the load generator lands (another engineer owns this file): keeps the CLI compiling.
export const loadCommand = new Command('load').description('fan-out and ingest load generator (not built yet)');
