import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '#src/app-settings.js';
import { LogConfig } from './log.config.js';

describe(LogConfig.name, () => {
  it('carries the cluster log settings, unset NATS_URL by default', () => {
    assert.deepEqual(
      { ...new LogConfig(loadConfig({})) },
      {
        NATS_URL: undefined,
        NATS_STREAM: 'CONVOI_READINGS',
        NATS_REPLICAS: 1,
        NATS_MAX_AGE_HOURS: 168,
        NATS_MAX_MB: 10240,
        NATS_APPEND_WINDOW: 1024,
        NATS_APPEND_TIMEOUT_MS: 5000,
        PARTITIONS: 64,
      },
    );
  });

  it('takes several servers, comma-separated', () => {
    const config = new LogConfig(loadConfig({ NATS_URL: 'nats://a:4222,nats://b:4222', NATS_REPLICAS: '3' }));
    assert.equal(config.NATS_URL, 'nats://a:4222,nats://b:4222');
    assert.equal(config.NATS_REPLICAS, 3);
  });

  it('refuses credentials in the URL without echoing them', () => {
    assert.throws(
      () => loadConfig({ NATS_URL: 'nats://convoi:s3cret@a:4222' }),
      (err: Error) => /without credentials/.test(err.message) && !err.message.includes('s3cret'),
    );
  });

  it('refuses a URL of another scheme, a stream name NATS refuses, and too many replicas, all at once', () => {
    assert.throws(
      () => loadConfig({ NATS_URL: 'mqtt://a:1883', NATS_STREAM: 'convoi.readings', NATS_REPLICAS: '7' }),
      (err: Error) =>
        /NATS_URL must be nats:\/\/host:port/.test(err.message) &&
        /NATS_STREAM must be 1-64 letters/.test(err.message) &&
        /NATS_REPLICAS/.test(err.message),
    );
  });
});
