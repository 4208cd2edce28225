import 'reflect-metadata';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { configKeys, loadConfig } from '#src/app-settings.js';
import {
  COMPOSE_SECRETS,
  compose,
  composeConfig,
  composeSkipReason,
  envNames,
} from '#test/support/compose.js';
import { HAPROXY_PATH } from '#test/support/haproxy.js';
import { NATS_SERVER_PATH } from '#test/support/nats-server.js';

/**
 * The `cluster` profile of docker-compose.yml (README, Cluster mode), checked without a Docker
 * engine: docker-compose 1.29 resolves it, every node's environment is one convoi accepts, and
 * Debian's HAProxy and nats-server accept the configuration files it mounts, whose servers are
 * the profile's services.
 */
const HAPROXY_CFG = 'deploy/cluster/haproxy.cfg';
const NATS_CONF = 'deploy/cluster/nats.conf';
const services = compose.services as Record<string, any>;
const inCluster = (name: string) => (services[name].profiles ?? []).includes('cluster');
const roleOf = (name: string): string | undefined => services[name].environment?.CONVOI_ROLES;
/** The test secrets by name (COMPOSE_SECRETS), for a service's environment read unresolved. */
const secrets = new Map(
  COMPOSE_SECRETS.trim()
    .split('\n')
    .map((l) => l.split('=') as [string, string]),
);
const resolvedSecrets = (env: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      String(v).replace(/^\$\{(\w+)[^}]*\}$/, (_, n: string) => secrets.get(n) ?? ''),
    ]),
  );
const nodesWithRole = (role: string) =>
  Object.keys(services).filter((name) => inCluster(name) && roleOf(name) === role);

/** The `server <name> <host>:<port>` lines of one HAProxy backend. */
function backendServers(backend: string): { name: string; host: string; port: number }[] {
  const text = readFileSync(HAPROXY_CFG, 'utf8');
  const section = text.split(/\n(?=\S)/).find((s) => s.startsWith(`backend ${backend}\n`));
  assert.ok(section, `backend ${backend}`);
  return [...section.matchAll(/^\s+server (\S+) ([^:\s]+):(\d+)/gm)].map((m) => ({
    name: m[1],
    host: m[2],
    port: Number(m[3]),
  }));
}

describe('docker-compose.yml, profile cluster', () => {
  it('is accepted by docker-compose 1.29 config, with the secrets set', { skip: composeSkipReason() }, () => {
    const r = composeConfig(COMPOSE_SECRETS, true, ['cluster']);
    assert.equal(r.status, 0, r.stderr);
  });

  it('runs 3 NATS nodes, Redis, HAProxy, 2 edges, 3 processors and 2 API nodes, all in the profile', () => {
    const cluster = Object.keys(services).filter(inCluster).sort();
    assert.deepEqual(cluster, [
      'api-1',
      'api-2',
      'edge-1',
      'edge-2',
      'haproxy',
      'nats-1',
      'nats-2',
      'nats-3',
      'processor-1',
      'processor-2',
      'processor-3',
      'redis',
    ]);
    assert.deepEqual(nodesWithRole('edge'), ['edge-1', 'edge-2']);
    assert.deepEqual(nodesWithRole('processor'), ['processor-1', 'processor-2', 'processor-3']);
    assert.deepEqual(nodesWithRole('api'), ['api-1', 'api-2']);
    // Only HAProxy is published, on the single node's ports: `--scale convoi=0` swaps one for the other.
    const published = cluster.filter((name) => services[name].ports !== undefined);
    assert.deepEqual(published, ['haproxy']);
    assert.deepEqual(services.haproxy.ports, services.convoi.ports);
  });

  it(
    'gives every node an environment convoi accepts, on one PostgreSQL, one log and one InfluxDB',
    { skip: composeSkipReason() },
    () => {
      const r = composeConfig(COMPOSE_SECRETS, false, ['cluster']);
      assert.equal(r.status, 0, r.stderr);
      const resolved = (load(r.stdout) as any).services as Record<string, any>;
      const keys = new Set(configKeys());
      const nodes = [...nodesWithRole('edge'), ...nodesWithRole('processor'), ...nodesWithRole('api')];
      for (const name of nodes) {
        const env = resolved[name].environment as Record<string, string>;
        for (const key of envNames(resolved[name]))
          assert.ok(keys.has(key), `${name}: ${key} is not a setting`);
        assert.doesNotThrow(() => loadConfig(env), `${name}: ${JSON.stringify(env.CONVOI_ROLES)}`);
        assert.equal(
          env.DATABASE_URL,
          resolved.convoi.environment.DATABASE_URL,
          `${name}: the same PostgreSQL`,
        );
        assert.equal(env.INFLUX_URL, 'http://influxdb:8086', `${name}: time series in InfluxDB`);
        const natsHosts = env.NATS_URL.split(',').map((u) => new URL(u).hostname);
        assert.deepEqual(natsHosts, ['nats-1', 'nats-2', 'nats-3'], `${name}: every NATS node`);
        assert.equal(env.NATS_REPLICAS, '3', `${name}: the stream on all three`);
        assert.equal(env.NATS_USER, 'convoi', `${name}: authenticates to NATS`);
        assert.equal(
          env.NATS_PASSWORD,
          resolved['nats-1'].environment.NATS_PASSWORD,
          `${name}: NATS's password`,
        );
        assert.ok(
          resolved[name].volumes.some((v: any) => (v.target ?? String(v).split(':')[1]) === env.DATA_DIR),
          `${name}: its own DATA_DIR volume`,
        );
      }
      for (const name of nodesWithRole('edge'))
        assert.equal(
          resolved[name].environment.BROKER_REDIS_URL,
          'redis://redis:6379',
          `${name}: shared sessions`,
        );
      const dataVolumes = nodes.map((name) => String(services[name].volumes[0]).split(':')[0]);
      assert.equal(new Set(dataVolumes).size, nodes.length, 'no two nodes share a DATA_DIR');
    },
  );

  it("mounts an HAProxy configuration Debian's HAProxy accepts, balancing MQTT over the edges and REST over the API nodes", () => {
    const r = spawnSync(HAPROXY_PATH, ['-c', '-f', HAPROXY_CFG], { encoding: 'utf8', timeout: 15_000 });
    assert.equal(r.error, undefined, String(r.error));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /Configuration file is valid/);
    assert.ok(services.haproxy.volumes.includes(`./${HAPROXY_CFG}:/usr/local/etc/haproxy/haproxy.cfg:ro`));
    const edges = backendServers('edges');
    assert.deepEqual(
      edges.map((s) => s.host),
      nodesWithRole('edge'),
    );
    for (const s of edges) assert.equal(s.port, Number(services[s.host].environment.BROKER_PORT));
    // Each device keeps its own address at the edge: PROXY v2 from HAProxy's fixed address only.
    assert.match(
      readFileSync(HAPROXY_CFG, 'utf8'),
      /backend edges\n(?:\s.*\n)*?\s+default-server send-proxy-v2 check-send-proxy\n/,
    );
    const balancer = services.haproxy.networks.cluster.ipv4_address;
    for (const name of nodesWithRole('edge')) {
      assert.equal(services[name].environment.BROKER_PROXY_PROTOCOL_FROM, balancer, name);
      assert.ok(services[name].networks.includes('cluster'), `${name}: on the balancer's network`);
    }
    const apis = backendServers('api');
    assert.deepEqual(
      apis.map((s) => s.host),
      nodesWithRole('api'),
    );
    for (const s of apis) assert.equal(s.port, Number(services[s.host].environment.HTTP_PORT));
  });

  it("mounts a NATS configuration Debian's nats-server accepts, routing to the three NATS services", () => {
    for (const name of ['nats-1', 'nats-2', 'nats-3']) {
      const r = spawnSync(NATS_SERVER_PATH, ['-t', '-c', NATS_CONF], {
        encoding: 'utf8',
        timeout: 15_000,
        env: { ...process.env, ...resolvedSecrets(services[name].environment) },
      });
      assert.equal(r.error, undefined, String(r.error));
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
      assert.ok(services[name].volumes.includes(`./${NATS_CONF}:/etc/nats/nats.conf:ro`), name);
      assert.equal(services[name].environment.NATS_SERVER_NAME, name);
    }
    const conf = readFileSync(NATS_CONF, 'utf8');
    const routes = [...conf.matchAll(/nats-route:\/\/([\w-]+):(\d+)/g)].map((m) => m[1]);
    assert.deepEqual(routes, ['nats-1', 'nats-2', 'nats-3']);
    assert.match(conf, /store_dir: \/data\//, 'the stream on the node volume mounted at /data');
    assert.match(services['nats-1'].healthcheck.test.join(' '), /127\.0\.0\.1:8222\/healthz/);
    assert.match(conf, /^http_port: 8222$/m);
    assert.match(
      conf,
      /authorization \{\s*user: convoi\s*password: \$NATS_PASSWORD\s*\}/,
      'clients authenticate',
    );
  });
});
