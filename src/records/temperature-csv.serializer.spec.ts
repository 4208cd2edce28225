import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { csvField, csvLine, temperatureSeriesCsv } from './temperature-csv.serializer.js';

const T = Date.UTC(2026, 10, 23, 8, 0, 0);

describe(temperatureSeriesCsv.name, () => {
  it('writes a header, one CRLF-terminated line per temperature reading, ISO UTC times', () => {
    const csv = temperatureSeriesCsv(
      [
        { measuredAt: T, temperatureC: 4.5 },
        { measuredAt: T + 300_000, shockG: 2 },
        { measuredAt: T + 600_000, temperatureC: 9.25 },
        { measuredAt: T + 900_000, temperatureC: -1 },
      ],
      { minC: 2, maxC: 8 },
    );
    assert.equal(
      csv,
      'measured_at,temperature_c,status\r\n' +
        '2026-11-23T08:00:00.000Z,4.5,in-range\r\n' +
        '2026-11-23T08:10:00.000Z,9.25,above\r\n' +
        '2026-11-23T08:15:00.000Z,-1,below\r\n',
    );
  });

  it('is just the header for an empty series', () => {
    assert.equal(temperatureSeriesCsv([], {}), 'measured_at,temperature_c,status\r\n');
  });
});

describe(csvField.name, () => {
  it('quotes per RFC 4180 and defuses spreadsheet formulas in text, never in numbers', () => {
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\r\nlines'), '"two\r\nlines"');
    assert.equal(csvField('=HYPERLINK("http://evil")'), `"'=HYPERLINK(""http://evil"")"`);
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField(-18.5), '-18.5');
    assert.equal(csvField(Number.NaN), '');
    assert.equal(csvField(null), '');
    assert.equal(csvLine(['x', 1, undefined]), 'x,1,');
  });
});
