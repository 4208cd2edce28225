import type { FactoryProvider } from '@nestjs/common';
import { LoadedSettings } from './load-config.js';
import { settingKeys, type SettingsClass } from './settings.js';

/** Settings a slice takes from one settings class: all of them, or the keys named. */
export interface SettingsPart<T extends object, K extends keyof T> {
  readonly settings: SettingsClass<T>;
  readonly keys: readonly K[];
}

/** All the settings of `settings`, or only `keys`, for {@link ConfigSlice}. */
export function from<T extends object, K extends keyof T & string = keyof T & string>(
  settings: SettingsClass<T>,
  ...keys: K[]
): SettingsPart<T, K> {
  return { settings, keys: keys.length > 0 ? keys : (settingKeys(settings) as K[]) };
}

type PartValues<P> = P extends SettingsPart<infer T, infer K> ? Pick<T, K> : never;
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
/** The settings a slice of these parts carries. */
export type SliceValues<Ps extends readonly AnyPart[]> = Intersection<PartValues<Ps[number]>>;
/** Any {@link SettingsPart}, whatever its class and keys. */
interface AnyPart {
  readonly settings: SettingsClass;
  readonly keys: readonly PropertyKey[];
}

/** A slice class: built from the loaded settings (or any object holding its keys), read-only. */
export interface ConfigSliceClass<V> {
  /** The settings the slice carries. */
  readonly keys: readonly string[];
  new (values: V): Readonly<V>;
}

/**
 * What one class or feature reads of the configuration: settings its feature owns
 * (`from(RulesSettings)`), plus, where it needs them, named settings another owns
 * (`from(DeploymentSettings, 'DATA_DIR')`). A feature declares its slice
 * (`export class RulesConfig extends ConfigSlice(from(RulesSettings)) {}`), its module provides
 * it ({@link configSliceProvider}), and its classes inject it. The compiler refuses a setting
 * outside the slice; the slice copies its values once at start.
 */
export function ConfigSlice<Ps extends readonly AnyPart[]>(...parts: Ps): ConfigSliceClass<SliceValues<Ps>> {
  const keys = parts.flatMap((part) => part.keys.map(String));
  class Slice {
    static readonly keys = keys;
    constructor(values: Record<string, unknown>) {
      for (const key of keys) Object.defineProperty(this, key, { value: values[key], enumerable: true });
    }
  }
  return Slice as unknown as ConfigSliceClass<SliceValues<Ps>>;
}

/** The slice of settings loaded at start (every settings class the slice draws from was loaded). */
export function sliceOf<V>(slice: ConfigSliceClass<V>, settings: LoadedSettings): Readonly<V> {
  return new slice(settings.values as V);
}

/** Provides a feature's slice, built once from the settings loaded at start. */
export function configSliceProvider<V>(slice: ConfigSliceClass<V>): FactoryProvider {
  return {
    provide: slice,
    useFactory: (settings: LoadedSettings) => sliceOf(slice, settings),
    inject: [LoadedSettings],
  };
}
