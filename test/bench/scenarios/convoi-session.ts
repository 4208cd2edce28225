import { checkpointEveryMs } from '#src/storage/state-checkpoint.js';
import { LoadGroup } from '../load/load-group.js';
import { devicesOf, isProbe } from '../support/bench-fleet.js';
import { cloneTemplate } from '../support/fleet-template.js';
import { PlatformProcess } from '../support/platform-process.js';
import { InfluxProbe, SqliteProbe, type StoredProbe } from '../support/stored-probe.js';
import { FLEET_CONTAINERS } from './bench-settings.js';
import { ConvoiTarget } from './delivery-target.js';

/** One platform process with its probe and its load (publishers and idle connections). */
export interface ConvoiSession {
  platform: PlatformProcess;
  target: ConvoiTarget;
  load: LoadGroup;
  probe: StoredProbe;
  dataDir: string;
}

export interface SessionOptions {
  label: string;
  template: string;
  env?: Record<string, string>;
  /** Time series in InfluxDB (influxd's own URL, for the probe); the embedded store otherwise. */
  influxUrl?: string;
  /** Where the time series are looked for instead (PostgreSQL's); the store's written-points metric counts them. */
  probe?: () => StoredProbe;
  /** Devices connect here instead of to the platform (external broker mode). */
  brokerUrl?: string;
  extraProcesses?: Record<string, number>;
  idle?: number;
  execArgv?: string[];
  /** Skip the unmeasured warm-up (the memory scenario counts every reading). */
  warmUp?: boolean;
}

/** Warm-up devices: the probe containers only, so the warm-up adds no state to other containers. */
const FLEET_WARMUP_DEVICES = devicesOf('json', FLEET_CONTAINERS).filter(isProbe);

/** What the session left behind: how the platform ended and what it complained about. */
export interface SessionEnd {
  exit: { exitCode: number | null; signal: string | null };
  crashed: boolean;
  /** Warnings and errors the platform logged (last 8 kB). */
  log: string;
}

/**
 * Runs `body` against a fresh platform (a copy of the fleet template) under load, then stops it
 * (SIGTERM: writers flush) and reports whether it had died on the way.
 */
export async function withConvoi<T>(
  options: SessionOptions,
  body: (session: ConvoiSession) => Promise<T>,
): Promise<{ result: T; end: SessionEnd }> {
  const dataDir = cloneTemplate(options.template, options.label);
  // BENCH_CPU_PROF_DIR: the platform writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_CPU_PROF_DIR;
  const execArgv = [
    ...(options.execArgv ?? []),
    ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
  ];
  const platform = new PlatformProcess({ dataDir, env: options.env, execArgv });
  await platform.start();
  const probe: StoredProbe =
    options.probe?.() ??
    (options.influxUrl ? new InfluxProbe(options.influxUrl) : new SqliteProbe(dataDir, FLEET_CONTAINERS));
  const metric = options.influxUrl
    ? 'convoi_influx_points_written_total'
    : 'convoi_telemetry_points_written_total';
  const target = new ConvoiTarget(
    options.label,
    platform,
    probe,
    metric,
    options.brokerUrl ?? platform.mqttUrl,
    options.extraProcesses,
    stateCheckpointEveryMs(options.env ?? {}),
  );
  const load = new LoadGroup();
  let result!: T;
  let crashed: boolean;
  let exit: SessionEnd['exit'];
  try {
    await load.connect(target.mqttUrl, { idle: options.idle });
    if (options.warmUp !== false) {
      await load.warmUp('json', FLEET_WARMUP_DEVICES);
      await settle(target);
    }
    result = await body({ platform, target, load, probe, dataDir });
  } finally {
    crashed = !platform.alive;
    await load.close();
    await probe.close();
    exit = await platform.stop();
  }
  return { result, end: { exit, crashed, log: platform.log.slice(-2000) } };
}

/** The platform's interval between state checkpoints, from the settings it starts with (only these). */
function stateCheckpointEveryMs(env: Record<string, string>): number {
  const setting = env.STATE_CHECKPOINT_MS;
  return checkpointEveryMs(env.DATABASE_URL ? 'postgres' : 'sqlite', setting ? Number(setting) : undefined);
}

/** Waits until the store stops growing (the warm-up is through), at most 30 s. */
async function settle(target: ConvoiTarget): Promise<void> {
  const until = performance.now() + 30_000;
  let last = -1;
  for (let now = await target.delivered(); now !== last && performance.now() < until;) {
    last = now;
    await new Promise((r) => setTimeout(r, 300));
    now = await target.delivered();
  }
}
