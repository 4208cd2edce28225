import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LppValue } from '#src/ingestion/codecs/cayenne-lpp.types.js';
import { applyChannelMap, MIN_DEVICE_TIME_S, type MappedValues } from './channel-mapper.js';
import { DEFAULT_CHANNEL_MAP, type ChannelMap } from './device-lookup.js';

function map(values: LppValue[], channelMap: ChannelMap = DEFAULT_CHANNEL_MAP): MappedValues {
  const out: MappedValues = {};
  const misfit = applyChannelMap(values, channelMap, out);
  if (misfit !== undefined) assert.fail(misfit);
  return out;
}

describe(applyChannelMap.name, () => {
  it('maps the ARCHITECTURE.md defaults', () => {
    const out = map([
      { channel: 1, type: 'temperature', value: -20.5 },
      { channel: 2, type: 'humidity', value: 60 },
      { channel: 3, type: 'accelerometer', value: { x: 3, y: 4, z: 12 } },
      { channel: 4, type: 'gps', value: { lat: 48.8566, lon: 2.3522, altM: 35 } },
      { channel: 5, type: 'percentage', value: 77 },
      { channel: 6, type: 'unixTime', value: 1_700_000_000 },
      { channel: 7, type: 'barometer', value: 1013.2 },
    ]);
    assert.deepEqual(out, {
      temperatureC: -20.5,
      humidityPct: 60,
      shockG: 13,
      lat: 48.8566,
      lon: 2.3522,
      altM: 35,
      batteryPct: 77,
      measuredAt: 1_700_000_000_000,
    });
  });

  it('reads voltage as battery linearly between 3.0 V and 3.6 V, clamped', () => {
    const battery = (v: number) => map([{ channel: 1, type: 'voltage', value: v }]).batteryPct;
    assert.deepEqual(
      [battery(3.6), battery(3.3), battery(3.0), battery(2.5), battery(3.9)],
      [100, 50, 0, 0, 100],
    );
  });

  it('prefers a battery percentage to a voltage, whatever the order', () => {
    const both: LppValue[] = [
      { channel: 1, type: 'voltage', value: 3.0 },
      { channel: 2, type: 'percentage', value: 64 },
    ];
    assert.equal(map(both).batteryPct, 64);
    assert.equal(map([...both].reverse()).batteryPct, 64);
  });

  it('keeps the first value when two channels map to one field', () => {
    const out = map([
      { channel: 1, type: 'temperature', value: -18 },
      { channel: 2, type: 'temperature', value: 5 },
    ]);
    assert.equal(out.temperatureC, -18);
  });

  it('drops a device time before 2020 (clock never set)', () => {
    assert.equal(map([{ channel: 1, type: 'unixTime', value: MIN_DEVICE_TIME_S - 1 }]).measuredAt, undefined);
  });

  it('lets a device map channels to fields, channel entries first', () => {
    const custom: ChannelMap = {
      channels: { 7: 'temperatureC', 8: 'doorOpen', 1: 'ignore' },
      types: { temperature: 'temperatureC' },
      battery: { emptyV: 2.0, fullV: 3.0 },
    };
    const out = map(
      [
        { channel: 1, type: 'temperature', value: 30 },
        { channel: 7, type: 'analogInput', value: 4.25 },
        { channel: 8, type: 'digitalInput', value: 1 },
      ],
      custom,
    );
    assert.deepEqual(out, { temperatureC: 4.25, doorOpen: true });
  });

  it('refuses a map that sends a 3-axis value or a GPS fix to a scalar field', () => {
    const out: MappedValues = {};
    const accel: LppValue = { channel: 3, type: 'accelerometer', value: { x: 0, y: 0, z: 1 } };
    assert.equal(
      applyChannelMap([accel], { channels: { 3: 'temperatureC' } }, out),
      'channel 3 (accelerometer) cannot map to temperatureC',
    );
    const gps: LppValue = { channel: 4, type: 'gps', value: { lat: 1, lon: 1, altM: 0 } };
    assert.match(
      applyChannelMap([gps], { channels: { 4: 'batteryPct' } }, out) ?? '',
      /cannot map to batteryPct/,
    );
    const temp: LppValue = { channel: 5, type: 'temperature', value: 1 };
    assert.match(
      applyChannelMap([temp], { channels: { 5: 'position' } }, out) ?? '',
      /cannot map to position/,
    );
  });
});
