import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort } from './livekit-server.js';

export interface S3Server {
  /** HUB_RECORDINGS_S3_URL for its bucket (path-style, with its credentials). */
  url: string;
  endpoint: string;
  bucket: string;
  stop(): Promise<void>;
}

/** gofakes3 from PATH (.ci/install links it), else where `go install` put it. */
const binary = () => (existsSync(join(homedir(), 'go', 'bin', 'gofakes3')) ? join(homedir(), 'go', 'bin', 'gofakes3') : 'gofakes3');

/**
 * A real S3-compatible server (gofakes3, in memory) on a free loopback port, with one bucket.
 * Resolves once it answers HTTP; stopped by its pid.
 */
export async function startS3(bucket = 'recordings'): Promise<S3Server> {
  const port = await freeTcpPort();
  const child = spawn(binary(), ['-backend', 'memory', '-host', `127.0.0.1:${port}`, '-initialbucket', bucket], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ok = await fetch(`${endpoint}/${bucket}`).then((r) => r.status < 500, () => false);
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gofakes3 did not start on ${port}: ${out.slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://test:testsecret@127.0.0.1:${port}/${bucket}`,
    endpoint,
    bucket,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
