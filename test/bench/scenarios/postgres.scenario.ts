import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { TELEMETRY_FILE } from '#src/telemetry/embedded/telemetry-database.js';
import { startPostgres, withClient } from '#test/support/postgres.js';
import { PostgresProbe } from '../support/postgres-probe.js';
import { cloneTemplate } from '../support/fleet-template.js';
import { FLEET_CONTAINERS, type BenchSettings } from './bench-settings.js';
import { withConvoi, type SessionEnd } from './convoi-session.js';
import { restUnderLoad, type RestResult } from './rest.scenario.js';
import { stepUp, type StepUpResult } from './step-up.js';

const MIGRATE_STORE_CLI = fileURLToPath(
  new URL('../../../src/migrate-store/migrate-store.cli.js', import.meta.url),
);

/**
 * The backend answering the bench's probe (100 queries a second): part of "postgres" in each
 * window's CPU, and taken out of it where the store's cost per reading is computed.
 */
export const PROBE_PROCESS = 'postgres-probe';

export interface PostgresStepUpResult {
  stepUp: StepUpResult;
  end: SessionEnd;
  /** Seconds `convoi migrate-store` took to move the fleet's operational tables to PostgreSQL. */
  moveSeconds: number;
  /** What the move printed: its per-table report. */
  moveReport: string;
  /** How the server ran: the harness's settings, not a production server's. */
  server: string;
}

/**
 * The step-up search with PostgreSQL as the operational store (issue 23's first target), on the
 * fleet moved there ({@link onPostgres}). The postmaster and its backends are measured as one
 * process ("postgres"), beside convoi.
 */
export async function postgresStepUp(
  settings: BenchSettings,
  template: string,
): Promise<PostgresStepUpResult> {
  return onPostgres(template, async ({ url, source, pid, moveSeconds, moveReport }) => {
    const probe = new PostgresProbe(url, FLEET_CONTAINERS);
    const { result, end } = await withConvoi(
      {
        label: 'postgres-stepup',
        template: source,
        env: { DATABASE_URL: url },
        // "postgres" is the postmaster with every backend, the probe's included: see PROBE_PROCESS.
        extraProcesses: { postgres: pid, [PROBE_PROCESS]: await probe.connect() },
        probe: () => probe,
      },
      ({ target, load }) => stepUp(target, load, settings.jsonDevices, settings.stepUp),
    );
    return { stepUp: result, end, moveSeconds, moveReport, server: POSTGRES_SERVER };
  });
}

/**
 * REST latest state under load (rest.scenario.ts) with PostgreSQL as the operational store: the
 * fleet moved as for the step-up, the same requests and ingestion; issue 23's REST target.
 */
export async function restOnPostgres(
  settings: BenchSettings,
  template: string,
): Promise<RestResult & { moveSeconds: number; server: string }> {
  return onPostgres(template, async ({ url, source, pid, moveSeconds }) => {
    const probe = new PostgresProbe(url, FLEET_CONTAINERS);
    const rest = await restUnderLoad(settings, source, {
      label: 'rest-postgres',
      env: { DATABASE_URL: url },
      extraProcesses: { postgres: pid, [PROBE_PROCESS]: await probe.connect() },
      probe: () => probe,
    });
    return { ...rest, moveSeconds, server: POSTGRES_SERVER };
  });
}

/** How the bench's PostgreSQL runs: the harness's settings, not a production server's. */
export const POSTGRES_SERVER =
  'PostgreSQL 15 from Debian, durable defaults (fsync, synchronous_commit on), shared_buffers=128MB';

interface FleetOnPostgres {
  url: string;
  /** The data dir convoi starts on (its SQLite files: what does not move). */
  source: string;
  /** The postmaster (every backend is its child). */
  pid: number;
  moveSeconds: number;
  moveReport: string;
}

/**
 * A real PostgreSQL 15 holding the bench fleet, moved there by `convoi migrate-store` (its
 * shipments are there, so readings go through the same rules as on SQLite), for `work`; convoi
 * then runs on DATABASE_URL without InfluxDB, so the readings go to PostgreSQL's day partitions too.
 */
async function onPostgres<T>(template: string, work: (fleet: FleetOnPostgres) => Promise<T>): Promise<T> {
  const postgres = await startPostgres({ durable: true });
  try {
    const url = await postgres.createDatabase();
    // With its time series (every container's one reading): migrate-store moves a whole deployment.
    const source = cloneTemplate(template, 'postgres-source', ['convoi.sqlite', TELEMETRY_FILE]);
    const started = performance.now();
    const { stdout } = await promisify(execFile)(process.execPath, [MIGRATE_STORE_CLI], {
      env: { ...process.env, DATA_DIR: source, DATABASE_URL: url, INFLUX_URL: '' },
      maxBuffer: 16 * 1024 * 1024,
    });
    const moveSeconds = Math.round((performance.now() - started) / 100) / 10;
    // The move wrote the whole fleet, so PostgreSQL's first checkpoint after it writes those pages
    // again (full-page writes), during whichever step it falls in. An operator backs up after a
    // move; here CHECKPOINT does that write before the measured load, as SQLite's template has it.
    await withClient(url, (client) => client.query('CHECKPOINT'));
    const pid = postgres.pid();
    if (pid === undefined) throw new Error('PostgreSQL is not running');
    return await work({ url, source, pid, moveSeconds, moveReport: stdout.trim() });
  } finally {
    await postgres.stop();
  }
}
