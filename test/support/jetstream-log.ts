import { loadConfig } from '#src/app-settings.js';
import type { LoggedEntry } from '#src/log/log-entry.js';
import { LogConfig } from '#src/log/log.config.js';
import { JetStreamLog } from '#src/log/jetstream/jetstream-log.js';
import type { LogTail } from '#src/log/input-log.port.js';
import { waitFor } from '#test/support/wait-for.js';

/** Opens the JetStream log on `url` with the defaults, `overrides` as env values. */
export function openLog(url: string, overrides: Record<string, string> = {}): Promise<JetStreamLog> {
  return JetStreamLog.open(new LogConfig(loadConfig({ NATS_URL: url, PARTITIONS: '8', ...overrides })));
}

/** Reads `after` into an array until `count` entries arrived (or fails after `timeoutMs`), then stops. */
export async function readUntil(
  log: JetStreamLog,
  after: ReadonlyMap<number, number>,
  count: number,
  timeoutMs = 10_000,
): Promise<LoggedEntry[]> {
  const got: LoggedEntry[] = [];
  const tail: LogTail = await log.reader.read(after, (e) => {
    got.push(e);
  });
  try {
    await waitFor(`${count} entries read (have ${got.length})`, () => got.length >= count, timeoutMs);
  } finally {
    await tail.stop();
  }
  return got;
}
