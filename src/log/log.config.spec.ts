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
        NATS_USER: undefined,
        NATS_PASSWORD: undefined,
        NATS_TOKEN: undefined,
        NATS_CREDS_FILE: undefined,
        NATS_TLS_CA_FILE: undefined,
        NATS_TLS_CERT_FILE: undefined,
        NATS_TLS_KEY_FILE: undefined,
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

  it('takes tls:// servers', () => {
    assert.equal(
      new LogConfig(loadConfig({ NATS_URL: 'tls://a:4222,nats://b:4222' })).NATS_URL,
      'tls://a:4222,nats://b:4222',
    );
  });

  it('requires NATS_PASSWORD with NATS_USER, and masks a password given with a bad neighbour', () => {
    assert.throws(
      () => loadConfig({ NATS_USER: 'convoi' }),
      (err: Error) => /NATS_PASSWORD is required with NATS_USER/.test(err.message),
    );
    assert.throws(
      () => loadConfig({ NATS_USER: 'convoi', NATS_PASSWORD: 's3cret-pw', NATS_TOKEN: 's3cret-token' }),
      (err: Error) =>
        /NATS_TOKEN="\*\*\*": NATS_TOKEN and NATS_USER are two ways to authenticate/.test(err.message) &&
        !err.message.includes('s3cret'),
    );
  });

  it('refuses two ways to authenticate, and a certificate without its key', () => {
    assert.throws(
      () =>
        loadConfig({
          NATS_TOKEN: 't',
          NATS_CREDS_FILE: '/etc/convoi/nats.creds',
          NATS_TLS_CERT_FILE: '/etc/c.pem',
        }),
      (err: Error) =>
        /NATS_CREDS_FILE.*ways to authenticate: set one/.test(err.message) &&
        /NATS_TLS_KEY_FILE=null: NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together/.test(err.message),
    );
  });
});
