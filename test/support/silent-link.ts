import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

/** A TCP relay to a local port that can go silent, as a network that drops every packet. */
export interface SilentLink {
  /** The relay's port on 127.0.0.1: connect here instead of the target's. */
  port: number;
  /**
   * From now on nothing passes either way, and neither end learns that the other closed: a
   * client whose server ended its session (a lease's backend terminated) goes on unaware, until
   * a query of its own times out.
   */
  silence(): void;
  close(): Promise<void>;
}

/** Starts a relay on a free loopback port to `targetPort` on 127.0.0.1. */
export async function startSilentLink(targetPort: number): Promise<SilentLink> {
  let silent = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on('data', (chunk) => {
        if (!silent) to.write(chunk);
      });
      from.on('error', () => undefined);
      from.on('close', () => {
        sockets.delete(from);
        if (!silent) to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    silence: () => {
      silent = true;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
