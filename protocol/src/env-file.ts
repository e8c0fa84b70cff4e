/**
 * Node only (imported as `@showwire/protocol/env-file` by the hub, the agent and the CLI, never by the
 * dashboard). Reads `.env` into process.env when there is one, where the command was started (npm's INIT_CWD when
 * run through an npm script, whose own cwd is the workspace). Variables already in the environment win.
 * (Node's `--env-file-if-exists` flag would do the same but prints a notice when the file is absent.)
 */
export function loadEnvFile(): void {
  try {
    process.loadEnvFile(`${process.env.INIT_CWD ?? process.cwd()}/.env`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
