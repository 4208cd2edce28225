import { AlertWebhookSettings } from './alerts/alerts.config.js';
import { AuthSettings } from './auth/auth.config.js';
import { BrokerSettings } from './broker/broker.config.js';
import { ProxyProtocolSettings } from './broker/proxy-protocol.config.js';
import { DeploymentSettings } from './config/deployment.config.js';
import { loadSettings, type LoadedSettings } from './config/load-config.js';
import { RetentionPolicySettings } from './config/retention-policy.config.js';
import { secretKeys, settingKeys } from './config/settings.js';
import { FleetSettings } from './fleet/fleet.config.js';
import { HttpSettings } from './http/http.config.js';
import { IngestionSettings } from './ingestion/ingestion.config.js';
import { JourneysSettings } from './journeys/journeys.config.js';
import { LogSettings } from './log/log.config.js';
import { LoggingSettings } from './logging/logging.config.js';
import { PartitionsSettings } from './partitions/partitions.config.js';
import { RetentionSettings } from './retention/retention.config.js';
import { RulesSettings } from './rules/rules.config.js';
import { StateCheckpointSettings } from './storage/state-checkpoint.config.js';
import { InfluxSettings } from './telemetry/influx/influx.config.js';
import { TelemetrySettings } from './telemetry/telemetry.config.js';

/**
 * Every settings class of convoi, each declared by the feature that owns it (or, for the ones most
 * features read, in `config/`). `.env.example` and the README document each variable; a spec keeps
 * them in step with this list.
 */
export const APP_SETTINGS = [
  DeploymentSettings,
  HttpSettings,
  LoggingSettings,
  BrokerSettings,
  ProxyProtocolSettings,
  IngestionSettings,
  PartitionsSettings,
  StateCheckpointSettings,
  LogSettings,
  FleetSettings,
  TelemetrySettings,
  InfluxSettings,
  AuthSettings,
  AlertWebhookSettings,
  RulesSettings,
  JourneysSettings,
  RetentionPolicySettings,
  RetentionSettings,
] as const;

type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/**
 * Every setting, by variable name: what the composition root (bootstrap.ts), the CLI and tests
 * read; features read their slices.
 */
export type AppConfig = Readonly<Intersection<InstanceType<(typeof APP_SETTINGS)[number]>>>;

/** Validates every setting from an environment at once (one ConfigError lists every bad one). */
export function loadAppSettings(env: Record<string, string | undefined>): LoadedSettings {
  return loadSettings(env, APP_SETTINGS);
}

/** Every setting of convoi from an environment, validated, as one read-only object. */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  return loadAppSettings(env).values as AppConfig;
}

/** Names of every variable convoi reads. */
export function configKeys(): string[] {
  return APP_SETTINGS.flatMap((settings) => settingKeys(settings));
}

/** Variables whose values are secrets: masked whenever configuration is printed. */
export const SECRET_CONFIG_KEYS: ReadonlySet<string> = new Set(
  APP_SETTINGS.flatMap((settings) => [...secretKeys(settings)]),
);

/** Every setting at its default, with `overrides` (tests and tools that build one class alone). */
export function defaultConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return Object.freeze({ ...loadConfig({}), ...overrides });
}
