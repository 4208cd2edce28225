import { ConfigSlice, from } from '#src/config/config-slice.js';
import { EnvInt } from '#src/config/env-transforms.js';
import { IsInt, Max, Min } from 'class-validator';

/**
 * The rule engine's settings.
 */
export class RulesSettings {
  /** How often time-driven rules (offline) are evaluated, ms. */
  @EnvInt()
  @IsInt()
  @Min(100)
  @Max(600_000)
  RULES_TICK_MS = 10_000;
}

/** What the rule engine reads. */
export class RulesConfig extends ConfigSlice(from(RulesSettings)) {}
