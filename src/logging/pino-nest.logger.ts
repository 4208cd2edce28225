import type { LoggerService, LogLevel } from '@nestjs/common';
import type { Level, Logger } from 'pino';
import { PINO_LEVEL } from './root-logger.js';

/** The most verbose of Nest's levels first, as LOG_LEVEL lists them. */
const BY_VERBOSITY: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];

/**
 * Nest's logger interface over pino, so `new Logger('Broker')` anywhere in convoi writes a pino
 * line. Calls take pino's order: fields first, then the sentence,
 *
 *     this.logger.warn({ deviceId, reason }, 'Reading rejected');
 *
 * or a sentence alone. Nest's Logger appends its context as the last argument (and an empty
 * stack slot to `error`); both are taken apart here, as Nest's console logger does.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Nest passes the levels it turns on; pino needs the most verbose of them. */
  setLogLevels(levels: LogLevel[]): void {
    const lowest = BY_VERBOSITY.find((l) => levels.includes(l));
    this.pino.level = lowest === undefined ? 'silent' : PINO_LEVEL[lowest === 'fatal' ? 'fatal' : lowest];
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    // Nothing is taken apart below the level: a disabled call costs a comparison.
    if (!this.pino.isLevelEnabled(level)) return;
    const rest = params.filter((p) => p !== undefined);
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? rest.pop() : undefined;
    const fields: Record<string, unknown> = context === undefined ? {} : { context };
    let text: string | undefined;
    if (message instanceof Error) {
      fields.err = message;
      text = message.message;
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(fields, message);
    } else {
      text = String(message);
    }
    for (const p of rest) {
      if (p instanceof Error) fields.err = p;
      else if (typeof p === 'string' && text === undefined) text = p;
      // A second string after the sentence is Nest's stack argument to `error`.
      else if (typeof p === 'string') fields.stack = p;
      else if (typeof p === 'object' && p !== null) Object.assign(fields, p);
    }
    this.pino[level](fields, text);
  }
}
