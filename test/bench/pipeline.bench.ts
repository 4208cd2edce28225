// The pipeline benchmark (issue 11): convoi as `npm start` runs it, in its own process, driven by
// real MQTT clients in other processes (100 publishers, 1,000 idle connections, QoS 1), against
// the raw brokers under the same load in the same run. After a build:
//   npm run bench                 full run (~22 min): docs/bench/pipeline.json + docs/PERFORMANCE.md
//   BENCH_QUICK=1 npm run bench   every window ~10 s: docs/bench/pipeline-quick.json
//   BENCH_ONLY=convoi-15000-json,baseline-aedes npm run bench   some scenarios
//   BENCH_ONLY=soak npm run bench 15,000/s for BENCH_SOAK_S (300) s
//   BENCH_ONLY=idle-fleet npm run bench   no traffic for BENCH_IDLE_S (60) s: background CPU
//   BENCH_ONLY=convoi-stepup,postgres-stepup npm run bench   the two operational stores
//   BENCH_ONLY=cluster npm run bench   one node vs edge + 1-3 processors on the log, and a failover
//     BENCH_CLUSTER_LAYOUTS=0,1 (processors per run, 0 one node: no failover), BENCH_CLUSTER_MESSAGES,
//     BENCH_CPU_PROF_DIR=/tmp/p (a V8 CPU profile of every node, per layout and role)
//   BENCH_ONLY=fleet-import npm run bench   150,000 containers imported into SQLite and PostgreSQL
// BENCH_TEMPLATE_DIR=/tmp/x keeps (and reuses) the 150,000-container fleet between runs.
import { aedesBaseline, mosquittoBaseline } from './scenarios/baseline.scenarios.js';
import { benchSettings, FLEET_CONTAINERS, FLEET_SHIPMENTS } from './scenarios/bench-settings.js';
import { alertLatency } from './scenarios/alert.scenario.js';
import { clusterScenario } from './scenarios/cluster.scenario.js';
import {
  convoiExternalStepUp,
  convoiFixed,
  convoiMemory,
  convoiStepUp,
} from './scenarios/convoi.scenarios.js';
import { idleFleet } from './scenarios/idle-fleet.scenario.js';
import { influxCatchup } from './scenarios/influx-catchup.scenario.js';
import { fleetImport } from './scenarios/fleet-import.scenario.js';
import { convoiInflux, influxStepUp } from './scenarios/influx.scenarios.js';
import { postgresStepUp, restOnPostgres } from './scenarios/postgres.scenario.js';
import { convoiSoak } from './scenarios/soak.scenario.js';
import { restUnderLoad } from './scenarios/rest.scenario.js';
import { buildFleetTemplate } from './support/fleet-template.js';
import { machineInfo, writeReports, type PipelineReport } from './report/pipeline-report.js';

const STANDARD = [
  'baseline-aedes',
  'baseline-mosquitto',
  'convoi-2500-chirpstack',
  'convoi-15000-json',
  'convoi-stepup',
  'external-mosquitto',
  'influx-15000-json',
  'influx-stepup',
  'postgres-stepup',
  'rest',
  'rest-postgres',
  'alert',
  'memory',
  'idle-fleet',
  'cluster',
  'fleet-import',
];

const settings = benchSettings(process.env);
const wanted = settings.only.size > 0 ? [...settings.only] : STANDARD;
const started = performance.now();
const report: PipelineReport = {
  bench: 'pipeline',
  date: new Date().toISOString(),
  machine: machineInfo(),
  quick: settings.quick,
  setup: {
    containers: FLEET_CONTAINERS,
    shipments: FLEET_SHIPMENTS,
    publishers: 100,
    idleConnections: 1000,
    qos: 1,
    fixedSeconds: settings.fixedSeconds,
    stepUp: settings.stepUp,
  },
  scenarios: {},
  errors: {},
};

const log = (line: string) => process.stdout.write(`${line}\n`);
log(`convoi pipeline bench: ${wanted.join(', ')}${settings.quick ? ' (quick)' : ''}`);
// The scenarios on the 150,000-container fleet; the baselines, alert, cluster and fleet-import
// bring their own.
const OWN_FLEET = new Set(['alert', 'cluster', 'fleet-import']);
const convoiWanted = wanted.some((n) => !n.startsWith('baseline-') && !OWN_FLEET.has(n));
/**
 * How old the warm fleet's readings may be when a scenario starts on it. Past the offline rule's
 * 15 minutes every container goes offline in the scenario's window: 150,000 offline alerts opened,
 * not the load the scenario measures (the idle fleet read 19.9 % of a core so, 2 % when fresh).
 */
const WARM_FLEET_FRESH_MS = 10 * 60_000;
let fleet = '';
let templateDir = '';
let warmedAt = performance.now();
if (convoiWanted || wanted.includes('memory')) {
  const template = await buildFleetTemplate(FLEET_CONTAINERS, FLEET_SHIPMENTS, settings.templateDir);
  templateDir = template.dir;
  report.setup.templateSeconds = template.seconds;
  log(
    `  fleet template (${FLEET_CONTAINERS} containers, ${FLEET_SHIPMENTS} shipments): ${template.seconds} s`,
  );
  fleet = template.dir;
  // Every container reports once (the memory scenario) before the rate scenarios, which start
  // from that steady-state fleet.
  log('  memory (every container reports once)…');
  try {
    const { memory, warmDir } = await convoiMemory(template.dir);
    report.scenarios.memory = memory;
    fleet = warmDir;
    warmedAt = performance.now();
    log(
      `  memory: ${memory.seconds} s, ${memory.readingsStored} stored, +${memory.rssPerContainerBytes} B RSS per container`,
    );
  } catch (err) {
    report.errors.memory = err instanceof Error ? (err.stack ?? err.message) : String(err);
    log(`  memory FAILED: ${report.errors.memory}`);
  }
}

const scenarios: Record<string, () => Promise<unknown>> = {
  'baseline-aedes': () => aedesBaseline(settings),
  'baseline-mosquitto': () => mosquittoBaseline(settings),
  'convoi-2500-chirpstack': () =>
    convoiFixed(settings, fleet, 'convoi-2500-chirpstack', 'chirpstack', 2500, settings.fixedSeconds),
  'convoi-15000-json': () =>
    convoiFixed(settings, fleet, 'convoi-15000-json', 'json', 15_000, settings.fixedSeconds),
  'convoi-2500-json': () =>
    convoiFixed(settings, fleet, 'convoi-2500-json', 'json', 2500, settings.fixedSeconds),
  'convoi-stepup': () => convoiStepUp(settings, fleet),
  'external-mosquitto': () => convoiExternalStepUp(settings, fleet),
  'influx-15000-json': () => convoiInflux(settings, fleet, 15_000),
  'influx-2500-json': () => convoiInflux(settings, fleet, 2500),
  // Raw line-protocol POSTs vs convoi's writer, then convoi's step-up, through one shim and influxd.
  'influx-stepup': () => influxStepUp(settings, fleet),
  // Not in the standard set (about 4 minutes): influxd down 60 s under 2,500/s, then the catch-up.
  'influx-catchup': () => influxCatchup(settings, fleet, 2500, 60),
  // The fleet moved to a real PostgreSQL by `convoi migrate-store`, then the step-up search on it.
  'postgres-stepup': () => postgresStepUp(settings, fleet),
  rest: () => restUnderLoad(settings, fleet),
  // The same REST load with the fleet moved to PostgreSQL.
  'rest-postgres': () => restOnPostgres(settings, fleet),
  alert: () => alertLatency(settings.alertSeconds),
  soak: () => convoiSoak(settings, fleet),
  // One node against an edge + 1, 2, 3 processors on nats-server and PostgreSQL, then a failover.
  cluster: () => clusterScenario(settings),
  // The bench fleet imported into a fresh SQLite and a fresh PostgreSQL, alternated (issue 23).
  'fleet-import': () => fleetImport(settings),
  // About 85 s: the fleet where every container reported, at rest for BENCH_IDLE_S (60) s.
  'idle-fleet': () => idleFleet(settings, fleet),
};

for (const name of wanted.filter((n) => n !== 'memory')) {
  const run = scenarios[name];
  if (!run) {
    report.errors[name] = `unknown scenario (known: ${Object.keys(scenarios).join(', ')})`;
    continue;
  }
  if (fleet !== '' && !name.startsWith('baseline-') && !OWN_FLEET.has(name)) await keepFleetFresh();
  const t0 = performance.now();
  log(`  ${name}…`);
  try {
    report.scenarios[name] = await run();
  } catch (err) {
    report.errors[name] = err instanceof Error ? (err.stack ?? err.message) : String(err);
    log(`  ${name} FAILED: ${report.errors[name]}`);
  }
  log(`  ${name}: ${Math.round((performance.now() - t0) / 1000)} s`);
}
/** Every container reports once more on a fresh copy of the template when the warm fleet aged. */
async function keepFleetFresh(): Promise<void> {
  if (performance.now() - warmedAt < WARM_FLEET_FRESH_MS) return;
  const { memory, warmDir } = await convoiMemory(templateDir);
  fleet = warmDir;
  warmedAt = performance.now();
  report.setup.fleetReportedAgain = (report.setup.fleetReportedAgain ?? 0) + 1;
  log(`  the fleet reported again (older than ${WARM_FLEET_FRESH_MS / 60_000} min): ${memory.seconds} s`);
}

report.totalSeconds = Math.round((performance.now() - started) / 1000);
writeReports(report, {
  json:
    process.env.BENCH_OUT ??
    (settings.quick || settings.only.size > 0
      ? 'docs/bench/pipeline-quick.json'
      : 'docs/bench/pipeline.json'),
  markdown: settings.quick || settings.only.size > 0 ? undefined : 'docs/PERFORMANCE.md',
});
process.exit(0);
