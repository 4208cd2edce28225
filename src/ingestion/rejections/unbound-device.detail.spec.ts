import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unboundDeviceDetail } from './unbound-device.detail.js';

const H = 3_600_000;
const T = Date.UTC(2026, 11, 1, 8);

describe(unboundDeviceDetail.name, () => {
  it('a device bound after the reading: says when its binding starts and gives the bind with `at`', () => {
    const detail = unboundDeviceDetail('s-1', T, [
      { containerId: 'C-1', boundAt: T + H, unboundAt: undefined },
    ]);
    assert.equal(
      detail,
      'device s-1 had no container at 2026-12-01T08:00:00.000Z: its binding to C-1 starts at ' +
        '2026-12-01T09:00:00.000Z (a bind without "at" starts when made). Bind it from then: ' +
        'POST /api/v1/devices/s-1/bind {"containerId":"C-1","at":"2026-12-01T08:00:00.000Z"}',
    );
  });

  it('a device never bound, or unbound before the reading', () => {
    assert.match(
      unboundDeviceDetail('s-1', T, []),
      /^device s-1 is on no container: bind it, from no later than 2026-12-01T08:00:00.000Z: POST \/api\/v1\/devices\/s-1\/bind \{"containerId":"<container id>","at":"2026-12-01T08:00:00.000Z"\}$/,
    );
    assert.match(
      unboundDeviceDetail('s-1', T, [{ containerId: 'C-1', boundAt: T - 2 * H, unboundAt: T - H }]),
      /unbound from C-1 at 2026-12-01T07:00:00.000Z; bind it again.*\{"containerId":"C-1","at":"2026-12-01T08:00:00.000Z"\}$/,
    );
  });

  it('a reading in a gap of older history: says that only the newest binding moves', () => {
    const history = [
      { containerId: 'A', boundAt: T - 5 * H, unboundAt: T - 2 * H },
      { containerId: 'B', boundAt: T + H, unboundAt: T + 2 * H },
      { containerId: 'C', boundAt: T + 2 * H, unboundAt: undefined },
    ];
    assert.match(
      unboundDeviceDetail('s-1', T, history),
      /only its newest binding \(container C\) can be moved earlier$/,
    );
  });

  it('fits the rejection log (500 characters) with the longest ids', () => {
    const id = 'x'.repeat(64);
    for (const history of [
      [],
      [{ containerId: id, boundAt: T + H, unboundAt: undefined }],
      [{ containerId: id, boundAt: T - 2 * H, unboundAt: T - H }],
    ]) {
      const detail = unboundDeviceDetail(id, T, history);
      assert.ok(detail.length <= 500, `${detail.length} characters`);
    }
  });
});
