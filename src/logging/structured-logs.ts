import { Logger } from '@nestjs/common';
import type { Logger as Pino } from 'pino';
import { logLevels } from './log-levels.js';
import type { LogOutput } from './log-output.js';
import { PinoNestLogger } from './pino-nest.logger.js';
import { createRootLogger, type LogSink } from './root-logger.js';

/** The loggers of one thread: pino itself, and Nest's interface over it. */
export interface ThreadLoggers {
  pino: Pino;
  nest: PinoNestLogger;
}

/**
 * Makes every `new Logger(context)` of this thread write through pino, and sets the levels Nest's
 * `Logger.isLevelEnabled` answers from (hot paths check it before building a line). Each thread
 * calls it once: the main thread before Nest starts, each worker thread at its top.
 */
export function useStructuredLogs(output: LogOutput, sink?: LogSink, thread?: string): ThreadLoggers {
  const pino = createRootLogger(output, sink, thread);
  const nest = new PinoNestLogger(pino);
  Logger.overrideLogger(nest);
  Logger.overrideLogger(logLevels({ LOG_LEVEL: output.level }));
  return { pino, nest };
}
