import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ConfigError } from './config.error.js';
import { secretKeys, settingKeys, type SettingsClass } from './settings.js';

type Env = Record<string, string | undefined>;

/** Every validated setting of this process, by variable name, read-only (what slices copy from). */
export class LoadedSettings {
  constructor(readonly values: Readonly<Record<string, unknown>>) {}
}

/**
 * Builds every settings class from an environment. Unknown variables are ignored; every invalid
 * one, in whichever class, is reported in a single {@link ConfigError}, secrets masked. A variable
 * declared by two classes is a programming error, refused here.
 */
export function loadSettings(env: Env, classes: readonly SettingsClass[]): LoadedSettings {
  const values: Record<string, unknown> = {};
  const owners = new Map<string, string>();
  const problems: string[] = [];
  for (const settings of classes) {
    const keys = settingKeys(settings);
    const given: Record<string, string> = {};
    for (const key of keys) {
      const owner = owners.get(key);
      if (owner !== undefined) throw new Error(`${key} is declared by both ${owner} and ${settings.name}`);
      owners.set(key, settings.name);
      const value = env[key];
      if (value !== undefined) given[key] = value;
    }
    const instance = plainToInstance(settings, given, { exposeDefaultValues: true });
    const secret = secretKeys(settings);
    for (const e of validateSync(instance, { forbidUnknownValues: true })) {
      const shown = secret.has(e.property) ? '"***"' : JSON.stringify(env[e.property] ?? null);
      problems.push(`${e.property}=${shown}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    }
    for (const key of keys) values[key] = (instance as Record<string, unknown>)[key];
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return new LoadedSettings(Object.freeze(values));
}
