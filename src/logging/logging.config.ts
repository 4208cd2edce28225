import { ConfigSlice, from } from '#src/config/config-slice.js';
import { EnvOptionalString } from '#src/config/env-transforms.js';
import { IsIn, IsOptional } from 'class-validator';

/**
 * What is logged, and how: level and format.
 */
export class LoggingSettings {
  /** Log level: error, warn, log, debug, verbose. */
  @IsIn(['error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  /**
   * Log lines: `json` (one JSON object a line, for journald, Loki or ELK) or `pretty` (for people).
   * Unset: pretty when standard output is a terminal, JSON otherwise. Colours only on a terminal.
   */
  @EnvOptionalString()
  @IsOptional()
  @IsIn(['json', 'pretty'])
  LOG_FORMAT?: 'json' | 'pretty';
}

/** What the logs read. */
export class LoggingConfig extends ConfigSlice(from(LoggingSettings)) {}
