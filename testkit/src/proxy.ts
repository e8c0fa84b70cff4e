import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the hub that a test can sever, so a real client sees a dropped
 * connection mid-stream and reconnects by itself, as over a flaky network. Its own port is bound
 * once and kept: a client can be given its URL before the hub runs (no target: every connection
 * is closed at once, as a hub that is down) and keep it across hub restarts on new ports.
 */
export async function startProxy(target?: string) {
  let to = target === undefined ? undefined : new URL(target);
  const live = new Set<Socket>();
  const server = createServer((client) => {
    if (!to) return void client.destroy();
    const upstream = connect(Number(to.port), to.hostname);
    live.add(client);
    live.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      live.delete(client);
      live.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${addr.port}`,
    /** New connections go to `target` (none: closed at once); open ones stay where they are. */
    retarget: (next: string | undefined) => {
      to = next === undefined ? undefined : new URL(next);
    },
    /** Drops every open connection through the proxy. */
    sever: () => {
      for (const s of [...live]) s.destroy();
      live.clear();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of live) s.destroy();
        server.close(() => r());
      }),
  };
}
