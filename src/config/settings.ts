import { getMetadataStorage } from 'class-validator';

/**
 * A feature's settings: a class whose properties are environment variables of the same name,
 * each with its class-validator rules, its transform from the env string (env-transforms.ts) and
 * its default. The feature that owns a setting declares it; the composition root lists every
 * settings class (src/app-settings.ts), and `loadSettings` validates them all once at start.
 */
export type SettingsClass<T extends object = object> = new () => T;

const secrets = new WeakMap<object, Set<string>>();

/** Marks a setting whose value is a secret: masked wherever configuration is printed. */
export function Secret(): PropertyDecorator {
  return (target, key) => {
    const keys = secrets.get(target.constructor) ?? new Set<string>();
    keys.add(String(key));
    secrets.set(target.constructor, keys);
  };
}

/** The variables a settings class declares (its validated properties), in declaration order. */
export function settingKeys(settings: SettingsClass): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(settings, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))];
}

/** The variables of a settings class marked {@link Secret}. */
export function secretKeys(settings: SettingsClass): ReadonlySet<string> {
  return secrets.get(settings) ?? new Set();
}
