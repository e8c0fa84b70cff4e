import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LiveKitServer {
  /** Signal URL for clients and agents, e.g. ws://127.0.0.1:PORT */
  url: string;
  /** Same port over HTTP, for the server SDK (RoomServiceClient, …). */
  httpUrl: string;
  apiKey: 'devkey';
  apiSecret: 'secret';
  /** Everything the server printed, for failure messages. */
  output: () => string;
  stop(): Promise<void>;
  /** SIGKILL: a LiveKit that dies without telling anyone (no leave messages); `stop()` still cleans up. */
  kill(): Promise<void>;
}

/** A free TCP port on loopback (bind to 0, read it, release it). */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    sock.once('error', reject);
    sock.bind(0, '127.0.0.1', () => {
      const { port } = sock.address();
      sock.close(() => resolve(port));
    });
  });
}

/**
 * A real `livekit-server --dev` (keys devkey/secret) on loopback, on free ports (signal, RTC TCP,
 * one muxed RTC UDP port), TURN off, webhooks posted to `webhookUrls` signed with devkey.
 * Resolves once the server answers HTTP; `stop()` kills it and removes its config.
 */
export async function startLiveKit(opts: { webhookUrls?: string[] } = {}): Promise<LiveKitServer> {
  // A free port is free when asked, not necessarily when the server binds it: with tests running
  // side by side another process can take it in between. Such a start is tried again on new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (error) {
      if (attempt >= 3 || !/address already in use/.test(String(error))) throw error;
    }
  }
}

async function startOnce(opts: { webhookUrls?: string[] }): Promise<LiveKitServer> {
  const [port, tcpPort, udpPort] = [await freeTcpPort(), await freeTcpPort(), await freeUdpPort()];
  const dir = mkdtempSync(join(tmpdir(), 'showwire-livekit-'));
  const configPath = join(dir, 'livekit.yaml');
  const urls = opts.webhookUrls ?? [];
  // JSON is valid YAML: no hand-built indentation to get wrong.
  const config = {
    port,
    bind_addresses: ['127.0.0.1'],
    rtc: { tcp_port: tcpPort, udp_port: udpPort, use_external_ip: false, node_ip: '127.0.0.1', enable_loopback_candidate: true },
    turn: { enabled: false },
    keys: { devkey: 'secret' },
    logging: { level: 'info' },
    ...(urls.length > 0 && { webhook: { api_key: 'devkey', urls } }),
  };
  writeFileSync(configPath, JSON.stringify(config, null, 2));

  const child = spawn('livekit-server', ['--dev', '--config', configPath, '--bind', '127.0.0.1', '--node-ip', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  let exitCode: number | string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exitCode = code ?? signal ?? -1;
      resolve();
    }),
  );
  child.on('error', (err) => (out += `\nspawn error: ${err.message}`));

  const httpUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exitCode === undefined) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  // Bounded wait: up to 60 s (the machine is shared), polling every 200 ms.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exitCode !== undefined) {
      await stop();
      throw new Error(`livekit-server exited (${exitCode}) before answering:\n${out}`);
    }
    try {
      const res = await fetch(httpUrl, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`livekit-server did not answer within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  const kill = async () => {
    if (exitCode !== undefined) return;
    child.kill('SIGKILL');
    await exited;
  };
  return { url: `ws://127.0.0.1:${port}`, httpUrl, apiKey: 'devkey', apiSecret: 'secret', output: () => out, stop, kill };
}
