// `npm run demo`: convoi and a simulated fleet in one process, on embedded defaults.
// Builds if needed, starts the platform (SQLite in ./data/demo, embedded broker, anonymous MQTT on
// loopback only), provisions the simulated world over REST, replays twelve hours of a scenario mix
// at high speed-up with the platform's clock following simulated time (so offline rules see the
// silences), prints where to look and every alert as it opens and clears. Ctrl-C stops it cleanly.
// Options: --speedup <x> (default 600: twelve hours in 72 s), --seed <seed>.
// From the environment (and .env, as `npm start` reads them): HTTP_PORT and BROKER_PORT (exactly
// those ports; unset, 3000 and 1883 or free ones when taken), HTTP_HOST, DATA_DIR (the demo keeps
// its own wiped folder `demo` inside it) and LOG_LEVEL. The rest is the demo's own: anonymous MQTT
// (hence the broker on 127.0.0.1 only), no example fleet, a fresh admin key, fast rule ticks.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildIfNeeded, root } from './build-if-needed.mjs';

const out = (line = '') => process.stdout.write(`${line}\n`);
const fail = (message) => {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(1);
};

const { values: args } = parseArgs({
  options: { speedup: { type: 'string', default: '600' }, seed: { type: 'string', default: 'demo' } },
});
const speedup = Number(args.speedup);
if (!(speedup >= 1 && speedup <= 100_000))
  fail(`--speedup must be a number from 1 to 100000, not "${args.speedup}"`);

buildIfNeeded(['dist/src/bootstrap.js', 'dist/sensors-sim/src/demo/demo-fleet.js'], 'demo');
await import('reflect-metadata');
const dist = (path) => import(join(root, 'dist', path));
const { createApp, startApp } = await dist('src/bootstrap.js');
const { Clock } = await dist('src/common/clock.js');
const { loadConfig } = await dist('src/app-settings.js');
const { ConfigError } = await dist('src/config/config.error.js');
const { readEnvironment } = await dist('src/config/read-environment.js');
const { TOPIC_FILTERS } = await dist('src/contracts/topics.js');
const { DemoFleet } = await dist('sensors-sim/src/demo/demo-fleet.js');
const { AlertFeed, utcTime } = await dist('sensors-sim/src/demo/alert-feed.js');
const { provision } = await dist('sensors-sim/src/provision/provision.client.js');
const { MqttPublisher } = await dist('sensors-sim/src/publish/mqtt.publisher.js');
const mqtt = (await import('mqtt')).default;

/** Platform time: simulated time while the fleet runs, then real pace from where it stopped. */
const warp = { simMs: 0, wallMs: performance.now(), rate: 0 };
const warpNow = () => Math.floor(warp.simMs + (performance.now() - warp.wallMs) * warp.rate);
const setPace = (rate) => Object.assign(warp, { simMs: warpNow(), wallMs: performance.now(), rate });

const env = readEnvironment();
const httpHost = env.HTTP_HOST || '127.0.0.1';
const httpPort = await chosenPort('HTTP_PORT', httpHost, 3000);
const brokerPort = await chosenPort('BROKER_PORT', '127.0.0.1', 1883);
const dataDir = join(resolve(env.DATA_DIR || join(root, 'data')), 'demo');
const adminKey = `cv_demo_${randomBytes(24).toString('base64url')}`;
const config = configOrExit({
  HTTP_HOST: httpHost,
  HTTP_PORT: httpPort,
  BROKER_HOST: '127.0.0.1',
  BROKER_PORT: brokerPort,
  // Loopback only, so anonymous MQTT is safe; the simulator publishes on one connection.
  BROKER_ALLOW_ANONYMOUS: 'true',
  BROKER_PUBLISH_RATE_PER_S: '100000',
  BROKER_PUBLISH_BURST: '100000',
  DATA_DIR: dataDir,
  FLEET_SEED_FILE: '',
  CONVOI_ADMIN_KEY: adminKey,
  LOG_LEVEL: env.LOG_LEVEL || 'error',
  // Offline rules are judged every 500 ms of wall time: five simulated minutes at 600x.
  RULES_TICK_MS: '500',
  // The EU 45 min driving break (Reg. 561/2006) is not a suspicious stop.
  JOURNEY_DWELL_MAX_MIN: '60',
  API_RATE_LIMIT: '100000',
});
// A fresh world each run: the simulated fleet is provisioned anew at a new start time.
rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });

const durationMs = 12 * 3_600_000;
const startMs = Math.floor((Date.now() - durationMs) / 60_000) * 60_000;
Object.assign(warp, { simMs: startMs, wallMs: performance.now(), rate: 0 });
const fleet = new DemoFleet({ seed: args.seed, startMs, durationMs });

const app = await createApp(config);
// The one Clock every feature injects: the platform judges readings in simulated time.
Object.assign(app.get(Clock), { now: warpNow });
const running = await startApp(app, config);
const api = `${running.httpUrl}/api/v1`;

const controller = new AbortController();
let stopping = false;
const watcher = await mqtt.connectAsync(running.mqttUrl, { clientId: `convoi-demo-watch-${process.pid}` });
const feed = new AlertFeed((id) => fleet.scenarioOf(id)?.name);
watcher.on('message', (_topic, payload) => {
  const line = feed.add(JSON.parse(payload.toString()));
  if (line) out(`  ${line}`);
});
await watcher.subscribeAsync(TOPIC_FILTERS.containerAlerts, { qos: 1 });

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  controller.abort();
  out('\nstopping convoi...');
  await watcher.endAsync(true).catch(() => undefined);
  await running.stop();
  out(`stopped. ${feed.status()}. Data kept in ${dataDir}.`);
  process.exit(code);
}
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

out(`convoi demo: ${fleet.worlds.map((w) => w.scenario.name).join(', ')}`);
const requests = fleet.provisionRequests();
const provisioned = await provision(running.httpUrl, adminKey, requests);
if (provisioned.failed.length > 0) {
  for (const f of provisioned.failed.slice(0, 5))
    process.stderr.write(`  ${f.what} ${f.id}: HTTP ${f.status} ${f.detail}\n`);
  await stop(1);
}
const devices = fleet.worlds.reduce((n, w) => n + w.devices.length, 0);
out(
  `provisioned over REST: ${requests.length} items (sites, containers, devices, bindings, shipments) for ${devices} trailers`,
);
printWhereToLook();

out(
  `replaying ${utcTime(fleet.startMs)} → ${utcTime(fleet.endMs)} UTC at ${speedup}x (${Math.round(durationMs / speedup / 1000)} s); alerts as they happen:`,
);
setPace(speedup);
const statusTimer = setInterval(
  () => out(`  -- platform time ${utcTime(warpNow())}, ${feed.status()}`),
  15_000,
);
const stats = await new MqttPublisher({
  brokerUrl: running.mqttUrl,
  connections: 'single',
  speedup,
  simStartMs: fleet.startMs,
  qos: 1,
  signal: controller.signal,
}).publishAll(fleet.messages());
clearInterval(statusTimer);
if (stopping) await new Promise(() => undefined);
setPace(1);
out(
  `\nfleet done: ${stats.sent} messages, ${stats.errors} errors${stats.firstError ? ` (${stats.firstError})` : ''}. ${feed.status()}.`,
);
for (const { rule, opened } of feed.tally()) out(`  ${String(opened).padStart(3)} × ${rule}`);
out('\nconvoi keeps running (the trailers are silent now: device-offline alerts will follow in 15 min).');
out('Explore with the commands above; Ctrl-C to stop.');

function printWhereToLook() {
  const key = `-H "Authorization: Bearer ${adminKey}"`;
  const [mqttHost, mqttPort] = running.mqttUrl.replace('mqtt://', '').split(':');
  const broken = fleet.affectedContainers().find((c) => c.scenario === 'cold-chain-break');
  out(`
  REST API      ${api}   (OpenAPI: ${running.httpUrl}/api/docs)
  admin key     ${adminKey}
  MQTT alerts   ${running.mqttUrl}  topic ${TOPIC_FILTERS.containerAlerts}

  curl -s ${key} '${api}/alerts?status=active'
  curl -s ${key} '${api}/shipments?status=in_transit'
  curl -s ${key} '${api}/containers/${broken?.containerId ?? ''}'
  curl -s ${key} '${api}/containers/${broken?.containerId ?? ''}/readings?every=15m&fn=max'
  mosquitto_sub -h ${mqttHost} -p ${mqttPort} -t '${TOPIC_FILTERS.containerAlerts}' -v
`);
}

/**
 * The port a variable asks for, used as given (a clear error when it is taken), or when unset the
 * usual one if free, else 0 (any free port): a demo must not fail on a busy 3000 nobody asked for.
 */
async function chosenPort(name, host, usual) {
  const asked = env[name];
  if (asked === undefined || asked === '') return String((await isFree(usual, host)) ? usual : 0);
  if (/^\d+$/.test(asked) && Number(asked) > 0 && !(await isFree(Number(asked), host)))
    fail(`${name}=${asked}: that port is in use on ${host} (unset ${name} to let the demo pick a free one)`);
  return asked;
}

function isFree(port, host) {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, host, () => probe.close(() => done(true)));
  });
}

/** The validated configuration, or the platform's own one-message list of bad variables. */
function configOrExit(given) {
  try {
    return loadConfig(given);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
}
