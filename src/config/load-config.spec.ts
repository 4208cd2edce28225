import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IsInt } from 'class-validator';
import { ConfigError } from './config.error.js';
import { EnvInt } from './env-transforms.js';
import { loadSettings } from './load-config.js';
import { loadConfig } from '../app-settings.js';

describe('loadConfig', () => {
  it('runs everything embedded by default', () => {
    const config = loadConfig({});
    assert.equal(config.HTTP_PORT, 3000);
    assert.equal(config.BROKER_PORT, 1883);
    assert.equal(config.DATA_DIR, './data');
    assert.equal(config.BROKER_EMBEDDED, true);
    assert.equal(config.BROKER_ALLOW_ANONYMOUS, false);
    assert.equal(config.INFLUX_URL, undefined);
  });

  it('converts strings to typed values', () => {
    const config = loadConfig({
      HTTP_PORT: '8080',
      BROKER_ALLOW_ANONYMOUS: 'true',
      INFLUX_URL: 'http://influx:8086',
    });
    assert.equal(config.HTTP_PORT, 8080);
    assert.equal(config.BROKER_ALLOW_ANONYMOUS, true);
    assert.equal(config.INFLUX_URL, 'http://influx:8086');
  });

  it('treats an empty optional value as unset', () => {
    assert.equal(loadConfig({ INFLUX_URL: '' }).INFLUX_URL, undefined);
  });

  it('lists every invalid variable in one error, secrets masked', () => {
    assert.throws(
      () => loadConfig({ HTTP_PORT: '70000', LOG_LEVEL: 'loud', MQTT_URL: 'ftp://x', MQTT_PASSWORD: '' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.problems.length, 3);
        assert.match(err.message, /HTTP_PORT="70000": HTTP_PORT must not be greater than 65535/);
        assert.match(err.message, /LOG_LEVEL="loud"/);
        assert.match(err.message, /MQTT_URL="ftp:\/\/x"/);
        return true;
      },
    );
  });
  it('keeps the operational store in SQLite unless DATABASE_URL is a postgres:// URL, masked when refused', () => {
    assert.equal(loadConfig({}).DATABASE_URL, undefined);
    assert.equal(loadConfig({ DATABASE_URL: '' }).DATABASE_URL, undefined);
    const url = 'postgresql://convoi:pw@db:5432/convoi';
    assert.equal(loadConfig({ DATABASE_URL: url }).DATABASE_URL, url);
    assert.throws(
      () => loadConfig({ DATABASE_URL: 'mysql://convoi:topsecret@db/convoi' }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.message.includes('DATABASE_URL="***": DATABASE_URL must be a postgres:// or postgresql:// URL') &&
        !err.message.includes('topsecret'),
    );
  });

  it('keeps the broker in memory unless BROKER_REDIS_URL is a redis:// URL, masked when refused', () => {
    assert.equal(loadConfig({}).BROKER_REDIS_URL, undefined);
    assert.equal(loadConfig({ BROKER_REDIS_URL: '' }).BROKER_REDIS_URL, undefined);
    for (const url of ['redis://127.0.0.1:6379', 'rediss://convoi:pw@redis:6380/2'])
      assert.equal(loadConfig({ BROKER_REDIS_URL: url }).BROKER_REDIS_URL, url);
    assert.throws(
      () => loadConfig({ BROKER_REDIS_URL: 'http://convoi:topsecret@redis:6379' }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.message.includes(
          'BROKER_REDIS_URL="***": BROKER_REDIS_URL must be a redis:// or rediss:// URL',
        ) &&
        !err.message.includes('topsecret'),
    );
  });

  it('shares the external broker in group convoi by default, plainly when empty, and refuses a group with / + #', () => {
    assert.equal(loadConfig({}).MQTT_SHARE_GROUP, 'convoi');
    assert.equal(loadConfig({ MQTT_SHARE_GROUP: 'cold-chain' }).MQTT_SHARE_GROUP, 'cold-chain');
    assert.equal(loadConfig({ MQTT_SHARE_GROUP: '' }).MQTT_SHARE_GROUP, undefined);
    for (const bad of ['a/b', 'a+', '#']) {
      assert.throws(
        () => loadConfig({ MQTT_SHARE_GROUP: bad }),
        (err: unknown) =>
          err instanceof ConfigError && err.message.includes('MQTT_SHARE_GROUP must not contain'),
        bad,
      );
    }
  });

  it('reads the MQTT ban settings and refuses an exempt entry that is no address', () => {
    const config = loadConfig({
      BROKER_AUTH_FAILURES_PER_IP_PER_MIN: '0',
      BROKER_BAN_DURATION_S: '60',
      BROKER_BAN_EXEMPT: '10.0.0.0/8, 192.0.2.7',
    });
    assert.equal(config.BROKER_AUTH_FAILURES_PER_IP_PER_MIN, 0);
    assert.equal(config.BROKER_BAN_DURATION_S, 60);
    assert.equal(config.BROKER_BAN_EXEMPT, '10.0.0.0/8, 192.0.2.7');
    for (const bad of ['10.0.0.0/33', 'nat-gateway', '10.0.0.1/8/1', '::1/129']) {
      assert.throws(
        () => loadConfig({ BROKER_BAN_EXEMPT: bad }),
        (err: unknown) => err instanceof ConfigError && err.message.includes('BROKER_BAN_EXEMPT'),
        bad,
      );
    }
  });
});

describe('loadSettings', () => {
  class Fast {
    @EnvInt()
    @IsInt()
    TICK_MS = 10;
  }
  class Slow {
    @IsInt()
    TICK_MS = 1000;
  }

  it('refuses a variable declared by two settings classes (one owner each)', () => {
    assert.throws(() => loadSettings({}, [Fast, Slow]), /TICK_MS is declared by both Fast and Slow/);
  });

  it("takes each class's variables from the environment, defaults for the rest", () => {
    assert.deepEqual(loadSettings({ TICK_MS: '25', OTHER: 'x' }, [Fast]).values, { TICK_MS: 25 });
  });
});
