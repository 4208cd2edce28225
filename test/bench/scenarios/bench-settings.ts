import { devicesOf, runDevices } from '../support/bench-fleet.js';

/** Containers of the bench fleet: one chain (ARCHITECTURE.md §1). */
export const FLEET_CONTAINERS = 150_000;
/** Containers on a chilled-4 shipment (full profile rule set); the others run the device rules. */
export const FLEET_SHIPMENTS = 500;

/** The cluster scenario's layouts: one node (0), then an edge with 1, 2 and 3 processors. */
export const CLUSTER_LAYOUTS = [0, 1, 2, 3];

/** Durations and sizes of one bench run; BENCH_QUICK=1 shortens every window (~10 s). */
export interface BenchSettings {
  quick: boolean;
  fixedSeconds: number;
  baselineSeconds: number;
  restSeconds: number;
  /** REST load before the measured window (its figures are reported apart): a server runs warm. */
  restWarmupSeconds: number;
  /** autocannon's paced mode after the window, for comparison with earlier runs. */
  restAutocannonSeconds: number;
  alertSeconds: number;
  soakSeconds: number;
  /** The idle-fleet window: no traffic, convoi's CPU read over it. */
  idleSeconds: number;
  /** Rounds of the fleet-import scenario, each one import into SQLite and one into PostgreSQL. */
  importRounds: number;
  stepUp: {
    startPerS: number;
    stepPerS: number;
    /** A step's length, rounded up per target to whole checkpoint intervals (steady-state.ts). */
    stepSeconds: number;
    /** The least unmeasured load before the first step (longer until the first checkpoint). */
    warmUpSeconds: number;
    maxSteps: number;
    maxPerS: number;
  };
  /** The cluster scenario. */
  cluster: {
    /** QoS 1 readings per layout (BENCH_CLUSTER_MESSAGES; 60,000, 6,000 quick). */
    messages: number;
    /** Processors per cluster run, 0 for one node (BENCH_CLUSTER_LAYOUTS; the failover only after all). */
    layouts: number[];
    /** BENCH_CPU_PROF_DIR: a V8 CPU profile of every node there, per layout and role. */
    profileDir?: string;
  };
  jsonDevices: number[];
  chirpstackDevices: number[];
  /** Scenario names to run (BENCH_ONLY, comma-separated); empty = the standard set. */
  only: Set<string>;
  templateDir?: string;
}

export function benchSettings(env: NodeJS.ProcessEnv): BenchSettings {
  const quick = env.BENCH_QUICK === '1';
  const num = (name: string, full: number, short: number) => Number(env[name] ?? (quick ? short : full));
  return {
    quick,
    fixedSeconds: num('BENCH_FIXED_S', 60, 10),
    baselineSeconds: num('BENCH_BASELINE_S', 15, 5),
    restSeconds: num('BENCH_REST_S', 20, 8),
    restWarmupSeconds: num('BENCH_REST_WARMUP_S', 5, 3),
    restAutocannonSeconds: num('BENCH_REST_AUTOCANNON_S', 10, 5),
    alertSeconds: num('BENCH_ALERT_S', 15, 8),
    soakSeconds: num('BENCH_SOAK_S', 300, 30),
    idleSeconds: num('BENCH_IDLE_S', 60, 20),
    importRounds: num('BENCH_IMPORT_ROUNDS', 3, 2),
    stepUp: {
      startPerS: num('BENCH_STEP_START', 10_000, 10_000),
      stepPerS: 5000,
      // Whole intervals of SQLite's 5 s checkpoint (PostgreSQL's 30 s steps: steady-state.ts).
      stepSeconds: num('BENCH_STEP_S', 10, 5),
      warmUpSeconds: num('BENCH_WARMUP_S', 10, 5),
      maxSteps: 8,
      maxPerS: 60_000,
    },
    cluster: {
      messages: num('BENCH_CLUSTER_MESSAGES', 60_000, 6_000),
      layouts: env.BENCH_CLUSTER_LAYOUTS?.split(',').map(Number) ?? CLUSTER_LAYOUTS,
      profileDir: env.BENCH_CPU_PROF_DIR,
    },
    jsonDevices: runDevices('json', FLEET_CONTAINERS),
    chirpstackDevices: runDevices('chirpstack', FLEET_CONTAINERS),
    only: new Set((env.BENCH_ONLY ?? '').split(',').filter((s) => s !== '')),
    templateDir: env.BENCH_TEMPLATE_DIR,
  };
}

/** Every device once (memory scenario). */
export const everyDevice = (format: 'json' | 'chirpstack') => devicesOf(format, FLEET_CONTAINERS);
