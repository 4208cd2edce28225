import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { LoggingSettings } from './logging.config.js';
import type { LogOutput } from './log-output.js';
import { redactFields } from './log-redaction.js';

/** Nest's level names (LOG_LEVEL) in pino's: `log` is `info`, `verbose` is `trace`. */
export const PINO_LEVEL: Record<LoggingSettings['LOG_LEVEL'] | 'fatal', Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** Where log lines go: anything with `write(line)`; `process.stdout` unless a test says otherwise. */
export type LogSink = Pick<NodeJS.WritableStream, 'write'>;

/**
 * The one pino logger of a thread. JSON lines carry `time` (ISO-8601), `level` by name, the
 * fields of the call, `context` (the Nest logger's name) and `msg`; `thread` names a worker.
 * Secret-bearing fields are redacted wherever they are ({@link redactFields}).
 *
 * Written synchronously, as Nest's console logger did: a line is out before the next statement,
 * so a crash loses none, and a slow reader of the pipe slows convoi rather than losing lines.
 */
export function createRootLogger(output: LogOutput, sink: LogSink = process.stdout, thread?: string): Logger {
  return pino(
    {
      level: PINO_LEVEL[output.level],
      base: thread === undefined ? { pid: process.pid } : { pid: process.pid, thread },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: redactFields },
    },
    output.format === 'pretty' ? prettySink(output.colour, sink) : (sink as DestinationStream),
  );
}

/** pino-pretty as a formatter in this thread (no transport worker), colours only if asked. */
function prettySink(colour: boolean, sink: LogSink): DestinationStream {
  const format = prettyFactory({
    colorize: colour,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,context,thread',
    messageFormat: '{if thread}[{thread}] {end}{if context}[{context}] {end}{msg}',
  });
  return { write: (line: string) => void sink.write(format(line)) };
}
