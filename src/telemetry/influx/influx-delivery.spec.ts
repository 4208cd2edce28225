import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipThresholdFor } from './influx-delivery.js';

describe(gzipThresholdFor.name, () => {
  it('sends bodies uncompressed to an InfluxDB on this machine', () => {
    for (const url of [
      'http://127.0.0.1:8086',
      'http://127.3.2.1:9999',
      'http://localhost:8086',
      'http://[::1]:8086',
    ]) {
      assert.equal(gzipThresholdFor(url), undefined, url);
    }
  });

  it('gzips bodies above a kilobyte to any other host', () => {
    for (const url of [
      'https://eu-central-1-1.aws.cloud2.influxdata.com',
      'http://10.0.0.5:8086',
      'http://influx.local:8086',
      'http://127.0.0.1.example.com',
      'http://localhost.example.com:8086',
    ]) {
      assert.equal(gzipThresholdFor(url), 1024, url);
    }
  });
});
