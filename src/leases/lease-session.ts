import pg from 'pg';

/** A new, not yet connected PostgreSQL client for one lease session. */
export type LeaseConnect = () => pg.Client;

/**
 * How long PostgreSQL keeps a session whose node went silent (power cut, network split): TCP
 * keepalives probe an idle connection after 5 s, every 2 s, 3 times, and unacknowledged data
 * gives up after 10 s. A node killed outright closes its socket, which ends its session (and
 * frees its locks) at once; these bound the silent case to about 11 s.
 */
const SERVER_SIDE_TIMEOUTS = [
  'SET tcp_keepalives_idle = 5',
  'SET tcp_keepalives_interval = 2',
  'SET tcp_keepalives_count = 3',
  'SET tcp_user_timeout = 10000',
];

/** A query of a lease session that gets no answer in this time counts the session as lost. */
const QUERY_TIMEOUT_MS = 3000;

/** The default connection of a lease session: its own client, never one of the pool's. */
export function leaseConnect(databaseUrl: string, applicationName: string): LeaseConnect {
  return () =>
    new pg.Client({
      connectionString: databaseUrl,
      application_name: applicationName,
      keepAlive: true,
      keepAliveInitialDelayMillis: 5000,
      query_timeout: QUERY_TIMEOUT_MS,
    });
}

/**
 * One dedicated PostgreSQL session that holds session advisory locks (ARCHITECTURE.md §9). The
 * locks live as long as the session, on that one connection: a pool would hand the next query to
 * another connection, where the lock is not held, and keep a dead holder's connection open.
 * When the session ends (the server terminated it, the network dropped it, a query timed out)
 * every lock it held is gone: {@link onLost} runs once, and the session may be opened again.
 */
export class LeaseSession {
  private client: pg.Client | undefined;
  private lostReported = true;
  /** The backend pid of the open session (a member's key), or undefined when none is open. */
  pid: number | undefined;

  constructor(
    private readonly connect: LeaseConnect,
    private readonly onLost: (reason: string) => void,
  ) {}

  get isOpen(): boolean {
    return this.client !== undefined;
  }

  /** Connects, sets the server-side timeouts, and returns the session's backend pid. */
  async open(): Promise<number> {
    const client = this.connect();
    // Registered before connecting: an error event with no listener would end the process.
    client.on('error', (error) => this.lose(client, error.message));
    client.on('end', () => this.lose(client, 'connection ended'));
    try {
      await client.connect();
      for (const statement of SERVER_SIDE_TIMEOUTS) await client.query(statement);
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      this.client = client;
      this.pid = rows[0].pid;
      this.lostReported = false;
      return this.pid;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  /** Runs a query on this session; a failure of the connection counts the session as lost. */
  async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    const client = this.client;
    if (client === undefined) throw new Error('lease session is not open');
    try {
      return (await client.query<R>(text, values)).rows;
    } catch (error) {
      // A query timeout leaves the connection up but the server's view unknown: end it, so that
      // what the server holds for this session is released rather than guessed at.
      if (!(error instanceof pg.DatabaseError)) this.lose(client, (error as Error).message);
      throw error;
    }
  }

  /** Ends the session (its locks with it). */
  async close(): Promise<void> {
    const client = this.client;
    this.lostReported = true;
    this.forget();
    await client?.end().catch(() => undefined);
  }

  private lose(client: pg.Client, reason: string): void {
    if (client !== this.client) return;
    this.forget();
    void client.end().catch(() => undefined);
    if (this.lostReported) return;
    this.lostReported = true;
    this.onLost(reason);
  }

  private forget(): void {
    this.client = undefined;
    this.pid = undefined;
  }
}
