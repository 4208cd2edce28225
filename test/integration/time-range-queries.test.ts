import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '#src/common/clock.js';
import { IsRangeEnd } from '#src/common/validation/is-range-end.decorator.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 22, 8, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

/** Every REST route taking a `from`/`to` range (the readings route has its own rule, same bounds). */
const ROUTES = [
  '/api/v1/containers/PAL-7001/journey',
  '/api/v1/containers/PAL-7001/kpis',
  '/api/v1/fleet/kpis',
  '/api/v1/audit',
  '/api/v1/alerts',
];
/** Routes whose window ends at "now" by default, so a lone `from` is checked against the clock. */
const WINDOWED = ROUTES.slice(0, 3);

describe(`time ranges of REST queries (${IsRangeEnd.name})`, () => {
  const clock = new ManualClock(NOW);
  let app: TestApp;

  before(async () => {
    app = await startTestApp({ clock });
  });
  after(async () => {
    await app?.close();
  });

  const get = async (route: string, query: Record<string, string>) => {
    const res = await app.request(`${route}?${new URLSearchParams(query).toString()}`);
    return { ...res, type: res.headers.get('content-type') ?? '' };
  };

  const refuses = async (route: string, query: Record<string, string>, message: string) => {
    const res = await get(route, query);
    assert.equal(res.status, 400, `${route} ${JSON.stringify(query)}`);
    assert.match(res.type, /^application\/problem\+json/);
    assert.ok(
      (res.body.errors as string[]).includes(message),
      `${route}: ${JSON.stringify(res.body.errors)} names the parameter`,
    );
  };

  it('refuses an inverted range with 400 naming `to`', async () => {
    for (const route of ROUTES) {
      await refuses(route, { from: iso(NOW - DAY), to: iso(NOW - 2 * DAY) }, 'to must be after from');
    }
  });

  it('refuses an empty range (from = to)', async () => {
    for (const route of ROUTES) {
      await refuses(route, { from: iso(NOW - DAY), to: iso(NOW - DAY) }, 'to must be after from');
    }
  });

  it('refuses a range longer than 400 days, and accepts exactly 400 days', async () => {
    for (const route of ROUTES) {
      await refuses(
        route,
        { from: iso(NOW - 400 * DAY - 1), to: iso(NOW) },
        'to must be at most 400 days after from',
      );
      const res = await get(route, { from: iso(NOW - 400 * DAY), to: iso(NOW) });
      assert.equal(res.status, 200, route);
    }
  });

  it('checks a lone `from` against the default end (now) where the window has one', async () => {
    for (const route of WINDOWED) {
      await refuses(
        route,
        { from: iso(NOW - 401 * DAY) },
        'to (default: now) must be at most 400 days after from',
      );
      await refuses(route, { from: iso(NOW + DAY) }, 'to (default: now) must be after from');
      assert.equal((await get(route, { from: iso(NOW - 30 * DAY) })).status, 200, route);
      assert.equal((await get(route, {})).status, 200, `${route} with the default window`);
    }
  });

  it('still answers the range asked for', async () => {
    const res = await get('/api/v1/fleet/kpis', { from: iso(NOW - 7 * DAY), to: iso(NOW - DAY) });
    assert.equal(res.status, 200);
    assert.deepEqual([res.body.from, res.body.to], [iso(NOW - 7 * DAY), iso(NOW - DAY)]);
  });
});
