// `convoi migrate-store` (`npm run migrate-store -- [--replace] [--batch-size N]`): moves a stopped
// SQLite deployment's operational tables into the PostgreSQL at DATABASE_URL. Reads the same
// environment and .env as `npm start`: DATA_DIR, DATABASE_URL, INFLUX_URL. Exit code 0 when every
// table matches on both sides, 1 otherwise (or on any error), 2 on bad arguments.
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { ConfigError } from '#src/config/config.error.js';
import { ConfigSlice, from, sliceOf } from '#src/config/config-slice.js';
import { DeploymentSettings } from '#src/config/deployment.config.js';
import { loadSettings } from '#src/config/load-config.js';
import { readEnvironment } from '#src/config/read-environment.js';
import { redactDatabaseUrl } from '#src/storage/database-url.js';
import { InfluxSettings } from '#src/telemetry/influx/influx.config.js';
import { MigrateStoreError } from './migrate-store.error.js';
import { formatReport } from './move-report.js';
import { moveStore } from './store-mover.js';

/** What the move reads: the SQLite directory, the PostgreSQL it fills, and whether InfluxDB keeps the time series. */
class MigrateStoreConfig extends ConfigSlice(
  from(DeploymentSettings, 'DATA_DIR', 'DATABASE_URL'),
  from(InfluxSettings, 'INFLUX_URL'),
) {}

const USAGE = `Usage: npm run migrate-store -- [--replace] [--batch-size N]

Moves the tables PostgreSQL holds for convoi from the SQLite files in DATA_DIR into the
PostgreSQL at DATABASE_URL, then compares every row. Stop convoi first. Options:
  --replace        empty PostgreSQL tables that hold other rows first (default: refuse)
  --batch-size N   rows read and inserted at a time (default 5000)
`;

/** Rows per batch by default: bounded memory, few round trips. */
const DEFAULT_BATCH = 5000;

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const error = (line: string): void => void process.stderr.write(`migrate-store: ${line}\n`);

/** Runs the command; returns its exit code. */
async function main(argv: string[]): Promise<number> {
  let args: { replace?: boolean; 'batch-size'?: string; help?: boolean };
  try {
    args = parseArgs({
      args: argv,
      options: {
        replace: { type: 'boolean' },
        'batch-size': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help === true) {
    out(USAGE);
    return 0;
  }
  const batchSize = args['batch-size'] === undefined ? DEFAULT_BATCH : Number(args['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
    error(`--batch-size must be a whole number from 1 to 100000, not "${args['batch-size']}"`);
    return 2;
  }

  let config: MigrateStoreConfig;
  try {
    config = sliceOf(
      MigrateStoreConfig,
      loadSettings(readEnvironment(), [DeploymentSettings, InfluxSettings]),
    );
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    error(e.message);
    return 1;
  }
  const databaseUrl = config.DATABASE_URL;
  if (databaseUrl === undefined) {
    error(
      'DATABASE_URL is not set: set it to the PostgreSQL to move into (README, "Moving from SQLite to PostgreSQL")',
    );
    return 1;
  }

  out(`Moving ${config.DATA_DIR} into ${redactDatabaseUrl(databaseUrl)}`);
  try {
    const reports = await moveStore(
      {
        dataDir: config.DATA_DIR,
        databaseUrl,
        timeSeriesInPostgres: config.INFLUX_URL === undefined,
        replace: args.replace === true,
        batchSize,
      },
      (line) => out(`  ${line}`),
    );
    out(formatReport(reports));
    if (reports.some((r) => !r.matches)) {
      error('PostgreSQL does not hold every row of the source: see the tables marked MISMATCH');
      return 1;
    }
    out('Every row is in PostgreSQL. Start convoi with DATABASE_URL set and the same DATA_DIR.');
    return 0;
  } catch (e) {
    // A database error may quote the connection string: keep the password out of the output.
    const text = e instanceof MigrateStoreError ? e.message : String(e);
    error(text.replaceAll(databaseUrl, redactDatabaseUrl(databaseUrl)));
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
