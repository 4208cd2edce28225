import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ConfigModule } from './config.module.js';
import { ConfigSlice, configSliceProvider, from } from './config-slice.js';
import { loadConfig } from '../app-settings.js';
import { RulesSettings } from '../rules/rules.config.js';
import { DeploymentSettings } from './deployment.config.js';

/** A feature's own settings, and one it reads of the settings most features share. */
class TickConfig extends ConfigSlice(from(RulesSettings), from(DeploymentSettings, 'MQTT_URL')) {}

@Injectable()
class Ticker {
  constructor(readonly config: TickConfig) {}
}

@Module({ providers: [configSliceProvider(TickConfig), Ticker], exports: [Ticker] })
class TickModule {}

describe(ConfigSlice.name, () => {
  it('carries its settings from the validated config, and only those', () => {
    const slice = new TickConfig(loadConfig({ RULES_TICK_MS: '2500', MQTT_URL: 'mqtt://broker:1883' }));
    assert.deepEqual({ ...slice }, { RULES_TICK_MS: 2500, MQTT_URL: 'mqtt://broker:1883' });
    assert.equal('HTTP_PORT' in slice, false);
    assert.deepEqual(TickConfig.keys, ['RULES_TICK_MS', 'MQTT_URL']);
  });

  it('cannot be changed after start', () => {
    const slice = new TickConfig(loadConfig({}));
    assert.throws(() => Object.assign(slice, { RULES_TICK_MS: 1 }), TypeError);
  });

  it('is injected from the global config into the feature that provides it', async () => {
    const config = loadConfig({ RULES_TICK_MS: '750' });
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), TickModule],
    }).compile();
    try {
      const { config: slice } = moduleRef.get(Ticker);
      assert.ok(slice instanceof TickConfig);
      assert.equal(slice.RULES_TICK_MS, 750);
      assert.equal(slice.MQTT_URL, undefined);
    } finally {
      await moduleRef.close();
    }
  });
});
