import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Reading } from '#src/contracts/reading.js';
import { alertToLine, readingToLine, type LineProblems } from './influx-line-protocol.js';

function recorder(): LineProblems & { fields: string[]; points: string[] } {
  const fields: string[] = [];
  const points: string[] = [];
  return {
    fields,
    points,
    skippedField: (f) => void fields.push(f),
    skippedPoint: (r) => void points.push(r),
  };
}

const base: Reading = {
  deviceId: 'D1',
  containerId: 'C1',
  measuredAt: 1_700_000_000_123,
  receivedAt: 1_700_000_000_500,
  source: 'json',
  dedupeKey: 'k',
  quality: { lagMs: 377, late: false },
};

describe(readingToLine.name, () => {
  it('writes tags, typed fields and a ms timestamp', () => {
    const line = readingToLine(
      {
        ...base,
        temperatureC: -18.5,
        doorOpen: true,
        shipmentId: 'S-1',
        quality: { fCnt: 7, lagMs: 377.9, late: true },
      },
      recorder(),
    );
    assert.equal(
      line,
      'telemetry,container=C1,device=D1 temperatureC=-18.5,doorOpen=true,fCnt=7i,lagMs=377i,late=true,shipmentId="S-1",receivedAt=1700000000500i,source="json" 1700000000123',
    );
  });

  it('skips NaN and infinite values, counting each, and drops a point left without a measured value', () => {
    const problems = recorder();
    const line = readingToLine(
      { ...base, temperatureC: Number.NaN, humidityPct: 40, rssi: 1 } as Reading,
      problems,
    );
    assert.match(line ?? '', /^telemetry,container=C1,device=D1 humidityPct=40,/);
    assert.equal(
      readingToLine(
        { ...base, temperatureC: Number.NEGATIVE_INFINITY, quality: { lagMs: Number.NaN, late: false } },
        problems,
      ),
      undefined,
    );
    assert.deepEqual(problems.fields, ['temperatureC', 'temperatureC']);
    assert.deepEqual(problems.points, ['no_fields']);
  });

  it('escapes tag separators and string quotes so a value never breaks the line', () => {
    const line = readingToLine(
      { ...base, containerId: 'C 1,x=y', shipmentId: 'a"b\\c\nd', temperatureC: 1 },
      recorder(),
    );
    assert.equal(line?.split('\n').length, 1);
    assert.match(line ?? '', /^telemetry,container=C\\ 1\\,x\\=y,device=D1 /);
    assert.match(line ?? '', /shipmentId="a\\"b\\\\c\\nd"/);
  });

  it('refuses a point without a usable timestamp', () => {
    const problems = recorder();
    assert.equal(readingToLine({ ...base, measuredAt: Number.NaN, temperatureC: 1 }, problems), undefined);
    assert.deepEqual(problems.points, ['bad_time']);
  });
});

describe(alertToLine.name, () => {
  it('writes bounded tags and the rest as fields', () => {
    const line = alertToLine(
      {
        alertId: 'A1',
        change: 'opened',
        containerId: 'C1',
        rule: 'temperature-high',
        severity: 'critical',
        status: 'active',
        acknowledged: false,
        value: 9,
        message: 'too warm',
        at: 1_700_000_000_000,
      },
      recorder(),
    );
    assert.equal(
      line,
      'alert,change=opened,container=C1,rule=temperature-high,severity=critical alertId="A1",status="active",acknowledged=false,value=9,message="too warm" 1700000000000',
    );
  });
});
