import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { allPanels, loadDashboards, selectedColumns } from '#test/support/grafana/dashboard-model.js';

/**
 * What Grafana reads at start, checked without Grafana: the provisioned datasource, the
 * dashboards provider, and every dashboard's shape (uids, datasource, units, refresh).
 */
const DATASOURCE_UID = 'convoi-influxdb';
const DASHBOARDS = loadDashboards('grafana/dashboards');
const EXPECTED_UIDS = ['convoi-alerts', 'convoi-compliance', 'convoi-container', 'convoi-fleet'];

function yaml(path: string): any {
  return load(readFileSync(path, 'utf8'));
}

describe('Grafana provisioning', () => {
  it('provisions one InfluxQL datasource with the stable uid, URL and token from the environment', () => {
    const text = readFileSync('grafana/provisioning/datasources/convoi-influxdb.yaml', 'utf8');
    const { apiVersion, datasources } = yaml('grafana/provisioning/datasources/convoi-influxdb.yaml');
    assert.equal(apiVersion, 1);
    assert.equal(datasources.length, 1);
    const ds = datasources[0];
    assert.equal(ds.uid, DATASOURCE_UID);
    assert.equal(ds.type, 'influxdb');
    assert.equal(ds.access, 'proxy');
    assert.equal(ds.jsonData.version, 'InfluxQL');
    assert.equal(ds.url, '${INFLUX_URL}');
    assert.equal(ds.jsonData.dbName, '${INFLUX_BUCKET}');
    assert.equal(ds.jsonData.httpHeaderName1, 'Authorization');
    assert.equal(ds.secureJsonData.httpHeaderValue1, 'Token ${INFLUX_TOKEN}');
    // No literal secret: every credential-looking value is an env reference.
    assert.doesNotMatch(text, /(password|token|secret)\s*:\s*(?!.*\$\{)\S+/i);
  });

  it('loads the dashboards from the folder docker-compose.yml mounts', () => {
    const { providers } = yaml('grafana/provisioning/dashboards/convoi.yaml');
    assert.equal(providers.length, 1);
    assert.equal(providers[0].type, 'file');
    assert.equal(providers[0].options.path, '/var/lib/grafana/dashboards');
    const compose = readFileSync('docker-compose.yml', 'utf8');
    assert.match(compose, /\.\/grafana\/dashboards:\/var\/lib\/grafana\/dashboards:ro/);
  });
});

describe('Grafana dashboards (static)', () => {
  it('are the four dashboards, with stable uids, browser time zone, refresh and a current schema', () => {
    assert.deepEqual(DASHBOARDS.map((d) => d.dashboard.uid).sort(), EXPECTED_UIDS);
    for (const { file, dashboard } of DASHBOARDS) {
      assert.equal(`convoi-${file.replace('.json', '')}`, dashboard.uid, file);
      assert.equal(dashboard.timezone, 'browser', file);
      assert.equal(dashboard.refresh, '30s', file);
      // Grafana 11 writes 39–41; 12 writes 41+. Older numbers trigger migrations on load.
      assert.ok(dashboard.schemaVersion >= 39, `${file}: schemaVersion ${dashboard.schemaVersion}`);
      assert.ok(dashboard.title.startsWith('convoi · '), file);
    }
  });

  it('point every panel, target, variable and annotation at the provisioned datasource', () => {
    for (const { file, dashboard } of DASHBOARDS) {
      for (const panel of allPanels(dashboard)) {
        assert.equal(panel.datasource?.uid, DATASOURCE_UID, `${file} "${panel.title}"`);
        assert.ok((panel.targets ?? []).length > 0, `${file} "${panel.title}" has no query`);
        for (const t of panel.targets ?? []) {
          assert.equal(t.datasource?.uid, DATASOURCE_UID, `${file} "${panel.title}" ${t.refId}`);
          assert.equal(t.rawQuery, true, `${file} "${panel.title}" ${t.refId}: raw InfluxQL`);
        }
      }
      for (const v of dashboard.templating?.list ?? []) {
        if (v.type === 'query') assert.equal(v.datasource?.uid, DATASOURCE_UID, `${file} $${v.name}`);
      }
      for (const a of dashboard.annotations?.list ?? []) {
        if (a.builtIn !== 1) assert.equal(a.datasource?.uid, DATASOURCE_UID, `${file} annotation ${a.name}`);
      }
    }
  });

  it('give every panel a unit', () => {
    for (const { file, dashboard } of DASHBOARDS) {
      for (const panel of allPanels(dashboard)) {
        const unit = panel.fieldConfig?.defaults?.unit;
        assert.ok(typeof unit === 'string' && unit.length > 0, `${file} "${panel.title}" has no unit`);
      }
    }
  });

  it('use the units of the values they show', () => {
    const units = new Set(
      DASHBOARDS.flatMap(({ dashboard }) => allPanels(dashboard).map((p) => p.fieldConfig?.defaults?.unit)),
    );
    for (const unit of ['celsius', 'humidity', 'percent', 'suffix: g', 'dBm', 'dB', 'm'])
      assert.ok(units.has(unit), unit);
  });

  it('name every column a SELECT returns, so the query test can check it', () => {
    for (const { file, dashboard } of DASHBOARDS) {
      for (const panel of allPanels(dashboard)) {
        for (const t of panel.targets ?? []) {
          assert.ok(
            selectedColumns(t.query ?? ''),
            `${file} "${panel.title}" ${t.refId}: name each item (AS "…")`,
          );
        }
      }
    }
  });

  it('link only to dashboards that exist', () => {
    const uids = new Set(DASHBOARDS.map((d) => d.dashboard.uid));
    for (const { file } of DASHBOARDS) {
      const text = readFileSync(`grafana/dashboards/${file}`, 'utf8');
      for (const [, uid] of text.matchAll(/\/d\/([\w-]+)\//g))
        assert.ok(uids.has(uid), `${file} links to ${uid}`);
    }
  });
});
