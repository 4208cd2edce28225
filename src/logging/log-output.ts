import type { LoggingSettings } from './logging.config.js';

/**
 * How and what convoi logs, as plain data: it crosses to the worker threads by structured clone,
 * because a worker's own `process.stdout` is never a terminal, whatever the process writes to.
 */
export interface LogOutput {
  /** LOG_LEVEL: that level and every more severe one are written. */
  level: LoggingSettings['LOG_LEVEL'];
  /** `json`: one object a line, for journald, Loki or ELK. `pretty`: one line for people. */
  format: 'json' | 'pretty';
  /** ANSI colours, in pretty lines only, and only when the process writes to a terminal. */
  colour: boolean;
}

/** LOG_LEVEL and LOG_FORMAT, with LOG_FORMAT unset resolved by whether stdout is a terminal. */
export function logOutputFrom(
  config: Pick<LoggingSettings, 'LOG_LEVEL' | 'LOG_FORMAT'>,
  stdout: { isTTY?: boolean } = process.stdout,
): LogOutput {
  const terminal = stdout.isTTY === true;
  return {
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT ?? (terminal ? 'pretty' : 'json'),
    colour: terminal,
  };
}
