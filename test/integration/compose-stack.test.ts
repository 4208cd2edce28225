import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { configKeys, defaultConfig, loadConfig } from '#src/app-settings.js';
import { RESERVED_FILES } from '#src/broker/hardening/open-files.limit.js';
import { freePort } from '#test/support/free-port.js';
import {
  COMPOSE_SECRETS,
  compose,
  composeConfig,
  composeSkipReason,
  envNames,
} from '#test/support/compose.js';
import { POSTGRES_BIN, startPostgres, type PostgresServer } from '#test/support/postgres.js';

/**
 * docker-compose.yml and the Dockerfile, checked without a Docker engine: Debian's
 * docker-compose 1.29 validates the file, and the file is held to what the code reads. The
 * cluster profile has its own test (compose-cluster.test.ts).
 */
const services = compose.services as Record<string, any>;
const SECRETS = COMPOSE_SECRETS;

describe('docker-compose.yml', () => {
  it('is accepted by docker-compose 1.29 config, with the secrets set', { skip: composeSkipReason() }, () => {
    const r = composeConfig(SECRETS);
    assert.equal(r.status, 0, r.stderr);
  });

  it('refuses to start while a secret is empty, naming it', { skip: composeSkipReason() }, () => {
    const r = composeConfig(readFileSync('.env.compose.example', 'utf8'));
    assert.notEqual(r.status, 0);
    assert.match(
      r.stderr,
      /set (INFLUX_ADMIN_PASSWORD|INFLUX_ADMIN_TOKEN|GRAFANA_ADMIN_PASSWORD|POSTGRES_PASSWORD)/,
    );
  });

  it('refuses to start without the PostgreSQL password, naming it', { skip: composeSkipReason() }, () => {
    const r = composeConfig(SECRETS.replace(/^POSTGRES_PASSWORD=.*\n/m, ''));
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /set POSTGRES_PASSWORD/);
  });

  it(
    "builds convoi's DATABASE_URL from the credentials PostgreSQL is created with",
    { skip: composeSkipReason() },
    () => {
      const env = `${SECRETS}POSTGRES_USER=cold_user\nPOSTGRES_DB=cold_db\nPOSTGRES_PASSWORD=s3cr3t-Pw_x\n`;
      const r = composeConfig(env, false);
      assert.equal(r.status, 0, r.stderr);
      const resolved = (load(r.stdout) as any).services;
      assert.deepEqual(
        {
          user: resolved.postgres.environment.POSTGRES_USER,
          password: resolved.postgres.environment.POSTGRES_PASSWORD,
          db: resolved.postgres.environment.POSTGRES_DB,
        },
        { user: 'cold_user', password: 's3cr3t-Pw_x', db: 'cold_db' },
      );
      const raw = resolved.convoi.environment.DATABASE_URL as string;
      assert.equal(loadConfig({ DATABASE_URL: raw }).DATABASE_URL, raw, 'AppConfig accepts it');
      const url = new URL(raw);
      assert.deepEqual(
        [url.protocol, url.hostname, url.port, url.username, url.password, url.pathname],
        ['postgres:', 'postgres', '5432', 'cold_user', 's3cr3t-Pw_x', '/cold_db'],
      );
      assert.deepEqual(resolved.postgres.healthcheck.test, [
        'CMD',
        'pg_isready',
        '-h',
        '127.0.0.1',
        '-U',
        'cold_user',
        '-d',
        'cold_db',
      ]);
      assert.equal(resolved.convoi.environment.INFLUX_URL, 'http://influxdb:8086', 'time series in InfluxDB');
    },
  );

  it('runs the single node in four services outside any profile, the simulator only in the demo profile', () => {
    const unprofiled = Object.keys(services).filter((name) => services[name].profiles === undefined);
    assert.deepEqual(unprofiled.sort(), ['convoi', 'grafana', 'influxdb', 'postgres']);
    assert.deepEqual(services['sensors-sim'].profiles, ['demo']);
    assert.equal(compose.version, undefined, 'no version key: Compose Specification in 1.29 and v2');
  });

  it('pins every image and waits for healthy dependencies', () => {
    assert.match(services.influxdb.image, /^influxdb:2\.\d+/);
    assert.match(services.postgres.image, /^postgres:15(\.\d+)?$/);
    assert.deepEqual(services.postgres.healthcheck.test.slice(0, 2), ['CMD', 'pg_isready']);
    assert.match(services.grafana.image, /^grafana\/grafana-oss:1[12]\.\d+\.\d+$/);
    assert.deepEqual(services.influxdb.healthcheck.test, ['CMD', 'influx', 'ping']);
    assert.equal(services.grafana.depends_on.influxdb.condition, 'service_healthy');
    assert.equal(services.convoi.depends_on.influxdb.condition, 'service_healthy');
    assert.equal(services.convoi.depends_on.postgres.condition, 'service_healthy');
    assert.equal(services['sensors-sim'].depends_on.convoi.condition, 'service_healthy');
  });

  it('mounts only files and folders that exist, Grafana provisioning read-only', () => {
    const named = new Set(Object.keys(compose.volumes ?? {}));
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const [source] = String(volume).split(':');
        if (source.startsWith('.') || source.startsWith('/'))
          assert.ok(existsSync(source), `${name}: ${source}`);
        else assert.ok(named.has(source), `${name}: volume ${source} not declared`);
      }
      if (service.build) assert.ok(existsSync(join(service.build, 'Dockerfile')), name);
    }
    const grafanaMounts = services.grafana.volumes.filter((v: string) => v.startsWith('./'));
    assert.deepEqual(grafanaMounts, [
      './grafana/provisioning:/etc/grafana/provisioning:ro',
      './grafana/dashboards:/var/lib/grafana/dashboards:ro',
    ]);
    assert.ok(existsSync('grafana/dashboards/fleet.json'), 'home dashboard');
  });

  it("keeps PostgreSQL's data and convoi's SQLite file in named volumes", () => {
    assert.ok(services.postgres.volumes.includes('postgres-data:/var/lib/postgresql/data'));
    assert.ok(services.convoi.volumes.includes(`convoi-data:${services.convoi.environment.DATA_DIR}`));
    for (const name of ['postgres-data', 'convoi-data']) assert.ok(name in compose.volumes, name);
  });

  it('gives convoi only variables AppConfig reads, on the ports and health path it serves', () => {
    const keys = new Set(configKeys());
    const convoi = services.convoi;
    for (const name of envNames(convoi)) assert.ok(keys.has(name), `convoi: ${name} is not an AppConfig key`);
    assert.equal(convoi.environment.INFLUX_URL, 'http://influxdb:8086');
    assert.match(convoi.environment.DATABASE_URL, /^postgres:\/\/[^@]+@postgres:5432\//);
    const defaults = defaultConfig();
    assert.equal(Number(convoi.environment.HTTP_PORT), defaults.HTTP_PORT);
    assert.equal(Number(convoi.environment.BROKER_PORT), defaults.BROKER_PORT);
    const published = convoi.ports.map((p: string) => p.split(':').at(-1));
    assert.deepEqual(published, [String(defaults.HTTP_PORT), String(defaults.BROKER_PORT)]);
    assert.match(convoi.healthcheck.test.join(' '), /http:\/\/127\.0\.0\.1:3000\/health\/ready'/);
    const health = readFileSync('src/http/health.controller.ts', 'utf8');
    assert.match(health, /@Controller\('health'\)/);
    assert.match(health, /@Get\('ready'\)/);
    assert.match(
      readFileSync('src/bootstrap.ts', 'utf8'),
      /exclude: \[[^\]]*'health\/ready'/,
      '/health/ready is outside /api/v1',
    );
  });

  it('lets convoi open a socket for each of BROKER_MAX_CONNECTIONS clients', () => {
    const nofile = services.convoi.ulimits?.nofile;
    const soft = Number(typeof nofile === 'object' ? nofile.soft : nofile);
    const needed = defaultConfig().BROKER_MAX_CONNECTIONS + RESERVED_FILES;
    assert.ok(soft >= needed, `ulimits.nofile ${soft} < ${needed}`);
  });

  it('gives Grafana every variable its datasource provisioning interpolates', () => {
    const provisioning = readFileSync('grafana/provisioning/datasources/convoi-influxdb.yaml', 'utf8');
    const used = [...provisioning.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
    assert.ok(used.length >= 3);
    for (const name of used) assert.ok(envNames(services.grafana).includes(name), `grafana: ${name}`);
  });

  it('documents every variable it interpolates in .env.compose.example or .env.example', () => {
    const documented = (file: string) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l))
        .map((l) => l.slice(0, l.indexOf('=')));
    const known = new Set([...documented('.env.compose.example'), ...documented('.env.example')]);
    const text = readFileSync('docker-compose.yml', 'utf8');
    const used = new Set([...text.matchAll(/(?<!\$)\$\{(\w+)/g)].map((m) => m[1]));
    for (const name of used) assert.ok(known.has(name), `${name} is not documented`);
  });

  it('runs the demo scenarios of sensors-sim against convoi', () => {
    const command = [services['sensors-sim'].command].flat().join(' ');
    for (const scenario of command
      .match(/for scenario in ([\w -]+);/)?.[1]
      .trim()
      .split(/\s+/) ?? ['(none)'])
      assert.ok(existsSync(`sensors-sim/scenarios/${scenario}.scenario.ts`), scenario);
    assert.match(command, /dist\/sensors-sim\/src\/cli\.js provision --api http:\/\/convoi:3000/);
    assert.match(command, /cli\.js run --scenario "\$\$scenario" --broker mqtt:\/\/convoi:1883/);
    assert.ok(existsSync('sensors-sim/src/cli.ts'));
  });
});

/**
 * The postgres service's healthcheck, run by Debian's pg_isready 15 (the image's own major)
 * against a real server and a closed port: its options are valid and it tells the two apart.
 */
describe('docker-compose.yml postgres healthcheck', () => {
  let server: PostgresServer;
  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    await server?.stop();
  });

  function healthcheck(port: number): number | null {
    const [kind, command, ...args] = (services.postgres.healthcheck.test as string[]).map((a) =>
      a.replace(/\$\{\w+:-(\w+)\}/, '$1'),
    );
    assert.equal(kind, 'CMD');
    const r = spawnSync(join(POSTGRES_BIN, command), [...args, '-p', String(port), '-t', '5'], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    assert.equal(r.error, undefined, String(r.error));
    return r.status;
  }

  it('passes on a server accepting connections', () => {
    assert.equal(healthcheck(Number(new URL(server.url).port)), 0);
  });

  it('fails while nothing listens (pg_isready: 2, no response)', async () => {
    assert.equal(healthcheck(await freePort()), 2);
  });
});
