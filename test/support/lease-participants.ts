import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { leaseConnect, type LeaseConnect } from '#src/leases/lease-session.js';

/**
 * The connection of a node that dies with its first session: once that session is terminated
 * (`pg_terminate_backend`, which is what PostgreSQL sees of a dead node), it never connects again.
 */
export function connectOnce(url: string, name: string): LeaseConnect {
  const connect = leaseConnect(url, name);
  let used = false;
  return () => {
    if (used) throw new Error(`${name} is dead`);
    used = true;
    return connect();
  };
}

/** Ends a lease session from another session, as a dead node's session ends. */
export async function terminate(admin: pg.Pool, pid: number | undefined): Promise<void> {
  if (pid === undefined) throw new Error('no session to terminate');
  const { rows } = await admin.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [pid]);
  if (rows[0].ok !== true) throw new Error(`session ${pid} not terminated`);
}

/** The advisory locks in one lease space of the database, as key -> holding backend pid. */
export async function lockHolders(admin: pg.Pool, space: number): Promise<Map<number, number[]>> {
  const { rows } = await admin.query<{ key: number; pid: number }>(
    `SELECT objid::int AS key, pid FROM pg_locks
     WHERE locktype = 'advisory' AND objsubid = 2 AND granted AND classid::int = $1
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [space],
  );
  const holders = new Map<number, number[]>();
  for (const { key, pid } of rows) holders.set(key, [...(holders.get(key) ?? []), pid]);
  return holders;
}

/**
 * The local process (its OS pid) whose PostgreSQL session is `backendPid`: the client end of the
 * session's TCP connection on loopback, as `ss` shows its owner (a child process of this user).
 */
export async function processOfSession(admin: pg.Pool, backendPid: number): Promise<number> {
  const { rows } = await admin.query<{ port: number }>(
    'SELECT client_port AS port FROM pg_stat_activity WHERE pid = $1',
    [backendPid],
  );
  const port = rows[0]?.port;
  if (port === undefined || port === null) throw new Error(`session ${backendPid} has no TCP client`);
  const { stdout } = await promisify(execFile)('ss', ['-tnpH', 'state', 'established', `sport = :${port}`]);
  const owner = /pid=(\d+)/.exec(stdout);
  if (owner === null) throw new Error(`no local process on port ${port}: ${stdout}`);
  return Number(owner[1]);
}
