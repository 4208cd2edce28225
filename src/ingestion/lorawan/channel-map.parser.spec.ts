import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseChannelMap } from './channel-map.parser.js';

describe(parseChannelMap.name, () => {
  it('turns a stored map into the typed one', () => {
    const result = parseChannelMap({
      channels: { '3': 'temperatureC', '8': 'doorOpen' },
      types: { gps: 'position' },
      battery: { emptyV: 2.2, fullV: 3.0 },
    });
    assert.deepEqual(result, {
      ok: true,
      map: {
        channels: { 3: 'temperatureC', 8: 'doorOpen' },
        types: { gps: 'position' },
        battery: { emptyV: 2.2, fullV: 3.0 },
      },
    });
  });

  const bad: [string, Parameters<typeof parseChannelMap>[0], RegExp][] = [
    ['a channel past 255', { channels: { '256': 'temperatureC' } }, /channel 256/],
    ['a channel that is no number', { channels: { __proto__x: 'temperatureC' } }, /channel __proto__x/],
    ['an unknown target', { channels: { '1': 'tenantId' } }, /unknown target tenantId/],
    ['an unknown type', { types: { colour: 'temperatureC' } }, /unknown Cayenne LPP type colour/],
    [
      'a type key from Object.prototype',
      { types: { toString: 'temperatureC' } },
      /unknown Cayenne LPP type toString/,
    ],
    ['an inverted battery curve', { battery: { emptyV: 3.6, fullV: 3.0 } }, /battery curve/],
  ];
  for (const [name, raw, detail] of bad) {
    it(`refuses ${name}`, () => {
      const result = parseChannelMap(raw);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.detail, detail);
    });
  }
});
