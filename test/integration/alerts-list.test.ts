import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { AlertsService } from '#src/alerts/alerts.service.js';
import { ManualClock } from '#src/common/clock.js';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import { TOPIC_FILTERS, deviceTelemetryTopic } from '#src/contracts/topics.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { STORE_DIALECTS, databaseUrlPerTest } from '#test/support/store-dialects.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);
const minute = (m: number): number => T0 + m * 60_000;
const LYON = 'DC-LYON-SQF';
const RUNGIS = 'DC-PARIS-RUNGIS';

/** What each container's battery-low alert should be: the model the filters are checked against. */
interface Expected {
  containerId: string;
  siteId: string;
  openedAt: number;
  severity: 'warning' | 'critical';
  status: 'active' | 'cleared';
  shipmentId?: string;
  id?: string;
}

// The same list from each operational store (PostgreSQL: ids compared bytewise, as SQLite).
for (const dialect of STORE_DIALECTS)
  describe(`alerts list: filters and cursor pagination (${AlertsService.name}, ${dialect})`, () => {
    const databaseUrl = databaseUrlPerTest(dialect);
    const clock = new ManualClock(T0);
    let app: TestApp;
    const events: AlertEvent[] = [];
    const devices = new Map<string, MqttClient>();
    // Odd containers at Lyon, even at Rungis; odd warn (15 %), even critical (5 %); 1 and 4 recover;
    // 7 and 8 open at the same millisecond (ties on openedAt).
    const model: Expected[] = Array.from({ length: 8 }, (_, i) => {
      const n = i + 1;
      return {
        containerId: `LIST-${n}`,
        siteId: n % 2 === 1 ? LYON : RUNGIS,
        openedAt: minute(Math.min(n, 7)),
        severity: n % 2 === 1 ? 'warning' : 'critical',
        status: n === 1 || n === 4 ? 'cleared' : 'active',
      };
    });

    before(async () => {
      const url = await databaseUrl();
      app = await startTestApp({
        clock,
        env: { RULES_TICK_MS: '600000', ...(url !== undefined && { DATABASE_URL: url }) },
      });
      assert.equal(app.running.app.get(OperationalDatabase).dialect, dialect);
      const operator = await app.mqtt({ clientId: 'ops-console' });
      operator.on('message', (_topic, payload) => events.push(JSON.parse(payload.toString()) as AlertEvent));
      await operator.subscribeAsync(TOPIC_FILTERS.containerAlerts, { qos: 1 });
      const imported = await app.request('/api/v1/admin/import', {
        method: 'POST',
        body: JSON.stringify({
          sites: [],
          containers: model.map((e) => ({
            id: e.containerId,
            kind: 'roll-cage',
            label: e.containerId,
            siteId: e.siteId,
          })),
          devices: model.map((e) => ({
            id: `dev-${e.containerId.toLowerCase()}`,
            format: 'json',
            model: 'generic-mqtt',
            containerId: e.containerId,
          })),
        }),
      });
      assert.equal(imported.status, 200, JSON.stringify(imported.body));
      const shipment = await app.request('/api/v1/shipments', {
        method: 'POST',
        body: JSON.stringify({
          containerId: 'LIST-2',
          originSiteId: RUNGIS,
          destinationSiteId: 'HM-LILLE-V2',
          profileId: 'chilled-4',
          plannedDeparture: new Date(T0).toISOString(),
          plannedArrival: new Date(T0 + 3_600_000).toISOString(),
        }),
      });
      assert.equal(shipment.status, 201, JSON.stringify(shipment.body));
      model[1].shipmentId = shipment.body.id as string;

      for (const e of model) {
        const id = `dev-${e.containerId.toLowerCase()}`;
        devices.set(e.containerId, await app.mqtt({ clientId: id }));
      }
      const send = async (e: Expected, at: number, battery: number) => {
        clock.set(Math.max(clock.now(), at));
        const id = `dev-${e.containerId.toLowerCase()}`;
        await devices
          .get(e.containerId)!
          .publishAsync(deviceTelemetryTopic(id), JSON.stringify({ ts: at, battery }), {
            qos: 1,
          });
      };
      for (const e of model) await send(e, e.openedAt, e.severity === 'warning' ? 15 : 5);
      for (const e of model.filter((x) => x.status === 'cleared')) await send(e, minute(10), 100);
      await waitFor('every alert opened and cleared', () => {
        const opened = events.filter((ev) => ev.change === 'opened').length;
        const cleared = events.filter((ev) => ev.change === 'cleared').length;
        return opened === model.length && cleared === 2;
      });
      for (const ev of events.filter((x) => x.change === 'opened'))
        model.find((e) => e.containerId === ev.containerId)!.id = ev.alertId;
    });
    after(() => app.close());

    /** Newest first by openedAt, then id (the API's order). */
    const expected = (keep: (e: Expected) => boolean) =>
      model
        .filter(keep)
        .sort((a, b) => b.openedAt - a.openedAt || (b.id! < a.id! ? -1 : 1))
        .map((e) => e.containerId);

    const list = async (query: string) => {
      const res = await app.request(`/api/v1/alerts?${query}`);
      assert.equal(res.status, 200, `${query}: ${JSON.stringify(res.body)}`);
      return res.body as { items: { containerId: string }[]; nextCursor?: string };
    };
    const containers = async (query: string) => (await list(query)).items.map((a) => a.containerId);

    it('lists every alert newest first, ties on openedAt broken by id', async () => {
      assert.deepEqual(
        await containers('rule=battery-low'),
        expected(() => true),
      );
    });

    it('filters by status, severity, container, shipment, site and acknowledgement', async () => {
      const cases: [string, (e: Expected) => boolean][] = [
        ['status=active', (e) => e.status === 'active'],
        ['status=cleared', (e) => e.status === 'cleared'],
        ['severity=critical', (e) => e.severity === 'critical'],
        ['severity=warning', (e) => e.severity === 'warning'],
        ['containerId=LIST-3', (e) => e.containerId === 'LIST-3'],
        [`shipmentId=${model[1].shipmentId}`, (e) => e.shipmentId !== undefined],
        [`siteId=${LYON}`, (e) => e.siteId === LYON],
        ['status=active&severity=critical', (e) => e.status === 'active' && e.severity === 'critical'],
        [`status=cleared&siteId=${RUNGIS}`, (e) => e.status === 'cleared' && e.siteId === RUNGIS],
        ['acknowledged=false', () => true],
        ['acknowledged=true', () => false],
        ['severity=info', () => false],
      ];
      for (const [query, keep] of cases) assert.deepEqual(await containers(query), expected(keep), query);
    });

    it('filters by the time the alert opened: from inclusive, to exclusive', async () => {
      const from = new Date(minute(3)).toISOString();
      const to = new Date(minute(5)).toISOString();
      assert.deepEqual(
        await containers(`from=${from}&to=${to}`),
        expected((e) => e.openedAt >= minute(3) && e.openedAt < minute(5)),
      );
      assert.deepEqual(
        await containers(`from=${new Date(minute(7)).toISOString()}`),
        expected((e) => e.openedAt >= minute(7)),
      );
    });

    it('pages with a cursor without losing or repeating an alert, ties included', async () => {
      for (const [query, keep] of [
        ['limit=1', () => true],
        ['limit=3', () => true],
        ['limit=2&status=active', (e: Expected) => e.status === 'active'],
      ] as const) {
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await list(`${query}${cursor ? `&cursor=${cursor}` : ''}`);
          seen.push(...page.items.map((a) => a.containerId));
          cursor = page.nextCursor;
          pages += 1;
          assert.ok(pages <= model.length, 'pagination ends');
        } while (cursor !== undefined);
        assert.deepEqual(seen, expected(keep), query);
      }
      const last = await list('limit=8');
      assert.equal(last.items.length, 8);
      assert.equal(last.nextCursor, undefined, 'no cursor after the last page');
    });

    it('refuses bad filters with 400', async () => {
      for (const query of [
        'status=open',
        'severity=fatal',
        'limit=0',
        'limit=501',
        'from=yesterday',
        'cursor=not-a-cursor',
        'containerId=../../etc',
        'colour=red',
      ]) {
        const res = await app.request(`/api/v1/alerts?${query}`);
        assert.equal(res.status, 400, query);
      }
    });
  });
