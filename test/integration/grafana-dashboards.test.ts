import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Reading } from '#src/contracts/reading.js';
import { InfluxTelemetryWriter } from '#src/telemetry/influx/influx-telemetry.writer.js';
import { TelemetryReader, TelemetryWriter } from '#src/telemetry/telemetry.ports.js';
import { buildColdChainTrip, type ColdChainTrip } from '#test/support/grafana/cold-chain-trip.js';
import {
  allPanels,
  groupByTags,
  loadDashboards,
  selectedColumns,
  type Dashboard,
} from '#test/support/grafana/dashboard-model.js';
import {
  interpolateInfluxQuery,
  type GrafanaTimeRange,
  type VariableValue,
} from '#test/support/grafana/grafana-macros.js';
import { influxSkipReason } from '#test/support/influx/influx-availability.js';
import {
  influxTestConfig,
  openWriter,
  startInfluxStack,
  tempDataDir,
  type InfluxStack,
  type WriterHarness,
} from '#test/support/influx/influx-fixture.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

/**
 * Every dashboard query, substituted as Grafana substitutes it, runs against a real influxd
 * holding what the real pipeline ingested from a simulated trip, and returns the columns its
 * panel draws. Grafana itself cannot run here: this is the proof a dashboard is not blank.
 */
const HOUR = 3_600_000;
const DASHBOARDS = loadDashboards('grafana/dashboards');
const RANGES: { name: string; range: () => GrafanaTimeRange }[] = [
  { name: 'last 6 h', range: () => ({ kind: 'relative', lastMs: 6 * HOUR }) },
  { name: 'absolute', range: () => ({ kind: 'absolute', fromMs: Date.now() - 5 * HOUR, toMs: Date.now() }) },
];

type Series = { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] };

describe('Grafana dashboards against InfluxDB', { skip: influxSkipReason('grafana-dashboards') }, () => {
  let stack: InfluxStack;
  let app: TestApp;
  let direct: WriterHarness | undefined;
  let directData: ReturnType<typeof tempDataDir> | undefined;
  let trip: ColdChainTrip;
  /** Values of the query variables, as Grafana lists them, per dashboard. */
  const listed = new Map<string, string[]>();

  async function statement(query: string): Promise<Series[]> {
    const result = await stack.influx.query(query);
    const first = result.results[0];
    assert.equal(first.error, undefined, `${query}\n→ ${first.error}`);
    return first.series ?? [];
  }

  async function countIn(containerId: string): Promise<number> {
    const series = await statement(
      `SELECT count("lagMs") FROM "telemetry" WHERE "container" = '${containerId}'`,
    );
    return Number(series[0]?.values[0]?.[1] ?? 0);
  }

  before(async () => {
    stack = await startInfluxStack();
    app = await startTestApp({
      env: {
        INFLUX_URL: stack.shim.url,
        INFLUX_BUCKET: 'telemetry/autogen',
        INFLUX_TOKEN: 'grafana-test-token',
        INFLUX_FLUSH_MS: '20',
      },
    });
    trip = buildColdChainTrip(Date.now());
    const client = await app.mqtt();
    await Promise.all(trip.native.map((m) => client.publishAsync(m.topic, m.payload, { qos: 1 })));

    // The readings went through the real pipeline (decode, checks, device → container).
    const reader = app.running.app.get(TelemetryReader);
    const stored = new Map<string, Reading[]>();
    await waitFor(
      'the pipeline to store every reading of the trip',
      async () => {
        for (const [containerId, count] of Object.entries(trip.nativeCounts)) {
          const rows = await reader.history({ containerId, from: 0, to: Date.now() + HOUR, limit: 10_000 });
          if (rows.length < count) return false;
          stored.set(
            containerId,
            rows.map((r) => ({
              ...r,
              containerId,
              dedupeKey: `${r.deviceId}:${r.measuredAt}`,
              quality: { ...r.quality },
            })),
          );
        }
        return true;
      },
      30_000,
    );

    let writer = app.running.app.get(TelemetryWriter);
    if (!(writer instanceof InfluxTelemetryWriter)) {
      // TelemetryModule does not select InfluxDB yet: copy what the pipeline stored, unchanged,
      // through the real InfluxDB adapter, so the queries below still read pipeline output.
      process.stderr.write(
        '\n!!! grafana-dashboards: TelemetryModule ignores INFLUX_URL; readings copied from the embedded store to InfluxDB through InfluxTelemetryWriter\n\n',
      );
      directData = tempDataDir();
      direct = await openWriter(influxTestConfig(stack.shim.url, directData.dir));
      direct.writer.write([...stored.values()].flat());
      writer = direct.writer;
    }
    // LoRaWAN uplinks are not consumed over MQTT yet (IngestionConsumer handles native JSON only),
    // and no alert module exists: both go through the same writer the platform uses.
    writer.write(trip.lora);
    for (const event of trip.alerts) writer.writeAlert(event);
    await writer.flush();
    await waitFor(
      'InfluxDB to hold the trip',
      async () => {
        for (const [containerId, count] of Object.entries(trip.nativeCounts))
          if ((await countIn(containerId)) < count) return false;
        return (await countIn('RC-000101')) === trip.lora.length;
      },
      20_000,
    );
  });

  after(async () => {
    await direct?.shutdown();
    directData?.remove();
    await app?.close();
    await stack?.close();
  });

  /**
   * Grafana's variable values: custom ones as saved, query ones as their query lists them. A
   * single-value variable is set to `pick` when listed (as a user would pick a container).
   */
  async function variablesOf(dashboard: Dashboard, pick: string): Promise<Record<string, VariableValue>> {
    const out: Record<string, VariableValue> = {};
    for (const v of dashboard.templating?.list ?? []) {
      const base = { multi: v.multi ?? false, includeAll: v.includeAll ?? false, allValue: v.allValue };
      if (v.type === 'custom') {
        const current = v.current?.value ?? [];
        out[v.name] = { ...base, values: Array.isArray(current) ? current : [current] };
        continue;
      }
      assert.equal(v.type, 'query', `${dashboard.uid} $${v.name}`);
      const query = interpolateInfluxQuery(v.query ?? '', {
        range: { kind: 'relative', lastMs: 6 * HOUR },
        maxDataPoints: 1000,
        minIntervalMs: 10_000,
        variables: out,
      });
      const options = (await statement(query)).flatMap((s) => s.values.map((row) => String(row[1])));
      listed.set(`${dashboard.uid}/${v.name}`, options);
      const values = v.includeAll ? ['$__all'] : [options.includes(pick) ? pick : options[0]];
      out[v.name] = { ...base, values, options };
    }
    return out;
  }

  function checkSeries(where: string, query: string, series: Series[]): void {
    assert.ok(series.length > 0, `${where}: no series\n${query}`);
    const columns = selectedColumns(query) ?? [];
    for (const column of columns) {
      const hasValue = series.some((s) => {
        const i = s.columns.indexOf(column);
        return i >= 0 && s.values.some((row) => row[i] !== null);
      });
      assert.ok(
        hasValue,
        `${where}: column "${column}" missing or all null\n${query}\n${JSON.stringify(series).slice(0, 400)}`,
      );
    }
    for (const tag of groupByTags(query)) {
      assert.ok(
        series.every((s) => s.tags?.[tag] !== undefined),
        `${where}: series not grouped by ${tag}`,
      );
    }
  }

  /** Every query of a dashboard, substituted for one selection, with what InfluxDB returned. */
  async function runDashboard(dashboard: Dashboard, range: GrafanaTimeRange, pick: string) {
    const ctx = {
      range,
      maxDataPoints: 1000,
      minIntervalMs: 10_000,
      variables: await variablesOf(dashboard, pick),
    };
    const runs: { where: string; query: string; series: Series[] }[] = [];
    for (const panel of allPanels(dashboard)) {
      for (const t of panel.targets ?? []) {
        const query = interpolateInfluxQuery(t.query ?? '', ctx);
        runs.push({ where: `"${panel.title}" ${t.refId}`, query, series: await statement(query) });
      }
    }
    for (const a of dashboard.annotations?.list ?? []) {
      if (a.builtIn === 1) continue;
      const query = interpolateInfluxQuery(a.target?.query ?? a.query ?? '', ctx);
      runs.push({ where: `annotation ${a.name}`, query, series: await statement(query) });
    }
    for (const run of runs)
      assert.doesNotMatch(run.query, /\$\w|\[\[/, `${run.where}: unsubstituted\n${run.query}`);
    return runs;
  }

  for (const { file, dashboard } of DASHBOARDS) {
    for (const { name, range } of RANGES) {
      it(`${dashboard.uid}: every query runs and returns the columns its panel draws (${name})`, async () => {
        // The container dashboard is looked at twice: on the reefer in excursion (native MQTT:
        // shocks, alerts) and on the LoRaWAN roll cage (radio, frames). A panel may be empty for
        // one of them (no radio over direct MQTT) but never for both; every query must run.
        const picks =
          dashboard.uid === 'convoi-container'
            ? [trip.excursionContainer, 'RC-000101']
            : [trip.excursionContainer];
        const views = await Promise.all(picks.map((pick) => runDashboard(dashboard, range(), pick)));
        assert.ok(views[0].length > 0, `${file}: no query`);
        for (let i = 0; i < views[0].length; i++) {
          const shown = views.find((runs) => runs[i].series.length > 0)?.[i] ?? views[0][i];
          checkSeries(`${file} ${shown.where} (${picks.join(' / ')})`, shown.query, shown.series);
        }
      });
    }
  }

  it('fleet stats count the trip: 3 online, 1 in excursion, 1 offline; worst offender is the reefer', async () => {
    const byTitle = async (uid: string, title: string) => {
      const dashboard = DASHBOARDS.find((d) => d.dashboard.uid === uid)!.dashboard;
      const runs = await runDashboard(
        dashboard,
        { kind: 'relative', lastMs: 6 * HOUR },
        trip.excursionContainer,
      );
      return runs.filter((r) => r.where.startsWith(`"${title}`)).map((r) => r.series);
    };
    const first = (series: Series[][]) => series[0][0].values[0][1];
    assert.equal(first(await byTitle('convoi-fleet', 'Containers online')), 3);
    assert.equal(first(await byTitle('convoi-fleet', 'In excursion')), 1);
    assert.equal(first(await byTitle('convoi-fleet', 'Offline')), 1);
    const [summary, outOfRange] = await byTitle('convoi-compliance', 'Worst offenders');
    const reefer = summary.find((s) => s.tags?.container === trip.excursionContainer)!;
    assert.equal(reefer.values[0][reefer.columns.indexOf('max shock')], 12.4);
    assert.equal(reefer.values[0][reefer.columns.indexOf('max temperature')], 9.5);
    const minutes = new Map(outOfRange.map((s) => [s.tags?.container, Number(s.values[0][1])]));
    // Above +4 °C from 40 min before the end, held minute by minute up to now.
    const reeferMinutes = minutes.get(trip.excursionContainer) ?? 0;
    assert.ok(reeferMinutes >= 30 && reeferMinutes <= 45, `minutes out of range ${reeferMinutes}`);
    assert.equal(minutes.has('REEFER-002'), false, 'REEFER-002 stayed within +0…+4 °C');
  });

  it('the container variable lists every container of the trip', () => {
    const containers = listed.get('convoi-container/container') ?? [];
    for (const id of [...Object.keys(trip.nativeCounts), 'RC-000101']) assert.ok(containers.includes(id), id);
  });
});
