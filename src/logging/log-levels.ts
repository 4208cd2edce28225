import type { LogLevel } from '@nestjs/common';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** The Nest log levels LOG_LEVEL turns on (it and everything more severe). */
export function logLevels(config: { LOG_LEVEL: LogLevel }): LogLevel[] {
  return LEVELS.slice(0, LEVELS.indexOf(config.LOG_LEVEL) + 1);
}
