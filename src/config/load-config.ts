import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync } from 'class-validator';
import { AppConfig, SECRET_CONFIG_KEYS } from './app-config.js';
import { ConfigError } from './config.error.js';

type Env = Record<string, string | undefined>;

/** Names of every variable AppConfig declares (validated properties). */
export function configKeys(): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(AppConfig, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))];
}

/**
 * Builds the typed configuration from an environment. Unknown variables are ignored; every
 * invalid one is reported in a single {@link ConfigError}, secrets masked.
 */
export function loadConfig(env: Env): AppConfig {
  const given: Record<string, string> = {};
  for (const key of configKeys()) {
    const value = env[key];
    if (value !== undefined) given[key] = value;
  }
  const config = plainToInstance(AppConfig, given, { exposeDefaultValues: true });
  const errors = validateSync(config, { forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new ConfigError(
      errors.map((e) => {
        const key = e.property as keyof AppConfig;
        const shown = SECRET_CONFIG_KEYS.has(key) ? '"***"' : JSON.stringify(env[key] ?? null);
        return `${key}=${shown}: ${Object.values(e.constraints ?? {}).join('; ')}`;
      }),
    );
  }
  return config;
}
