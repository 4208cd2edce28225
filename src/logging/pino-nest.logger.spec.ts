import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogOutput } from './log-output.js';
import { PinoNestLogger } from './pino-nest.logger.js';
import { createRootLogger } from './root-logger.js';

/** Collects what a logger writes, line by line. */
function capture(output: Partial<LogOutput> = {}): { lines: string[]; logger: PinoNestLogger } {
  const lines: string[] = [];
  const sink = { write: (line: string) => lines.push(line) > 0 };
  const logger = new PinoNestLogger(
    createRootLogger({ level: 'log', format: 'json', colour: false, ...output }, sink),
  );
  return { lines, logger };
}

const parsed = (lines: string[]): Record<string, unknown>[] =>
  lines.map((l) => JSON.parse(l) as Record<string, unknown>);

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

describe(PinoNestLogger.name, () => {
  it('writes fields as fields, the context Nest appends, and the sentence as msg', () => {
    const { lines, logger } = capture();
    // As Nest's `new Logger('Ingestion').warn({ … }, 'Reading rejected')` calls it.
    logger.warn({ deviceId: 'dev-1', reason: 'schema' }, 'Reading rejected', 'Ingestion');
    const [line] = parsed(lines);
    assert.equal(line.level, 'warn');
    assert.equal(line.context, 'Ingestion');
    assert.equal(line.deviceId, 'dev-1');
    assert.equal(line.reason, 'schema');
    assert.equal(line.msg, 'Reading rejected');
    assert.match(String(line.time), /^\d{4}-\d\d-\d\dT/);
  });

  it("takes Nest's empty stack slot of error() apart from the context", () => {
    const { lines, logger } = capture();
    logger.error('store down', undefined, 'Telemetry');
    logger.error(new Error('disk full'), 'Telemetry');
    const [plain, withError] = parsed(lines);
    assert.deepEqual([plain.msg, plain.context, 'stack' in plain], ['store down', 'Telemetry', false]);
    assert.equal(withError.msg, 'disk full');
    assert.match(JSON.stringify(withError.err), /disk full/);
  });

  it('redacts secret-bearing fields by path, at the top and nested', () => {
    const { lines, logger } = capture();
    logger.warn(
      {
        password: 'hunter2-password',
        req: { headers: { authorization: 'Bearer cv_secret-api-key', host: 'convoi.example' } },
        options: { username: 'convoi', password: 'mqtt-password', host: 'broker.example' },
        err: Object.assign(new Error('refused'), {
          config: { headers: { Authorization: 'Token influx-token' } },
        }),
        webhooks: [{ url: 'http://hooks.example', secret: 'whsec-value' }],
        deviceId: 'dev-1',
      },
      'careless call',
      'Test',
    );
    const text = lines.join('');
    for (const secret of [
      'hunter2-password',
      'cv_secret-api-key',
      'mqtt-password',
      'influx-token',
      'whsec-value',
    ])
      assert.ok(!text.includes(secret), `${secret} redacted`);
    const [line] = parsed(lines);
    assert.equal(line.deviceId, 'dev-1');
    assert.equal((line.options as Record<string, unknown>).host, 'broker.example');
    assert.match(JSON.stringify(line.err), /"message":"refused".*"stack":"Error: refused/);
    assert.deepEqual((line.req as Record<string, unknown>).headers, {
      authorization: '[redacted]',
      host: 'convoi.example',
    });
  });

  it('writes nothing, and reads no argument, below the level', () => {
    const { lines, logger } = capture({ level: 'warn' });
    const fields = {
      get deviceId(): string {
        throw new Error('fields of a disabled line were read');
      },
    };
    logger.debug(fields, 'hidden', 'Test');
    logger.log(fields, 'hidden', 'Test');
    logger.warn('shown', 'Test');
    assert.deepEqual(
      parsed(lines).map((l) => l.msg),
      ['shown'],
    );
  });

  it('follows the levels Nest sets at run time', () => {
    const { lines, logger } = capture({ level: 'error' });
    logger.setLogLevels(['fatal', 'error', 'warn', 'log', 'debug']);
    logger.debug('now shown', 'Test');
    assert.equal(lines.length, 1);
  });

  it('writes pretty lines with colours only when asked (a terminal)', () => {
    const plain = capture({ format: 'pretty', colour: false });
    plain.logger.warn({ deviceId: 'dev-1' }, 'Reading rejected', 'Ingestion');
    assert.ok(!ANSI.test(plain.lines.join('')), plain.lines.join(''));
    assert.match(plain.lines.join(''), /WARN.*\[Ingestion\] Reading rejected/);
    assert.match(plain.lines.join(''), /deviceId: "dev-1"/);
    const coloured = capture({ format: 'pretty', colour: true });
    coloured.logger.warn('Reading rejected', 'Ingestion');
    assert.ok(ANSI.test(coloured.lines.join('')));
  });
});
