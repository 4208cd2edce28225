import type { FactoryProvider } from '@nestjs/common';
import { AppConfig } from './app-config.js';

/** A feature's slice class: built from the validated AppConfig, read-only, its settings only. */
export interface ConfigSliceClass<K extends keyof AppConfig> {
  /** The settings the slice carries. */
  readonly keys: readonly K[];
  new (config: Pick<AppConfig, K>): Readonly<Pick<AppConfig, K>>;
}

/**
 * The base of a feature's slice of the configuration: the settings it reads, copied from the one
 * AppConfig validated at start, so that one error still lists every bad variable and the env
 * names stay the property names. A feature declares its slice
 * (`export class RulesConfig extends ConfigSlice('RULES_TICK_MS') {}`), its module provides it
 * ({@link configSliceProvider}), and its classes inject the slice, not AppConfig.
 */
export function ConfigSlice<K extends keyof AppConfig>(...keys: K[]): ConfigSliceClass<K> {
  class Slice {
    static readonly keys = keys;
    constructor(config: Pick<AppConfig, K>) {
      for (const key of keys) Object.defineProperty(this, key, { value: config[key], enumerable: true });
    }
  }
  return Slice as unknown as ConfigSliceClass<K>;
}

/** Provides a feature's slice, built once from the global AppConfig. */
export function configSliceProvider<K extends keyof AppConfig>(slice: ConfigSliceClass<K>): FactoryProvider {
  return { provide: slice, useFactory: (config: AppConfig) => new slice(config), inject: [AppConfig] };
}
