import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

/** A TCP relay to a local port that can go silent, as a network that stops passing packets. */
export interface SilentLink {
  /** The relay's port on 127.0.0.1: connect here instead of the target's. */
  port: number;
  /**
   * From now on nothing passes either way, and neither end learns that the other closed: a
   * client whose server ended its session (a lease's backend terminated) goes on unaware, until
   * a query of its own times out. What is sent meanwhile is held, in order.
   */
  silence(): void;
  /** Passes on what was held, then the closes, as a network that comes back (TCP resends). */
  restore(): void;
  close(): Promise<void>;
}

/** One direction of a relayed connection, with what it holds while the link is silent. */
interface Direction {
  to: Socket;
  held: Buffer[];
  closed: boolean;
}

/** Starts a relay on a free loopback port to `targetPort` on 127.0.0.1. */
export async function startSilentLink(targetPort: number): Promise<SilentLink> {
  let silent = false;
  const sockets = new Set<Socket>();
  const directions = new Set<Direction>();
  const pass = (d: Direction) => {
    for (const chunk of d.held.splice(0)) d.to.write(chunk);
    if (d.closed) d.to.destroy();
  };
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      const d: Direction = { to, held: [], closed: false };
      directions.add(d);
      sockets.add(from);
      from.on('data', (chunk) => {
        if (silent) d.held.push(chunk);
        else to.write(chunk);
      });
      from.on('error', () => undefined);
      from.on('close', () => {
        sockets.delete(from);
        d.closed = true;
        if (!silent) pass(d);
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    silence: () => {
      silent = true;
    },
    restore: () => {
      silent = false;
      for (const d of directions) pass(d);
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
