import { accessSync, constants } from 'node:fs';

/** Where Debian's `influxdb` package puts the server. */
export const INFLUXD_PATH = process.env.INFLUXD_PATH ?? '/usr/bin/influxd';

export function influxdInstalled(): boolean {
  try {
    accessSync(INFLUXD_PATH, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The `skip` option of an InfluxDB suite: `false` (run) when influxd is installed or when
 * `REQUIRE_INFLUX=1` (CI), where a missing server must fail the suite rather than hide it;
 * otherwise a reason, printed loudly so a green local run is not mistaken for a tested one.
 */
export function influxSkipReason(suite: string): string | false {
  if (influxdInstalled() || process.env.REQUIRE_INFLUX === '1') return false;
  const reason = `influxd not found at ${INFLUXD_PATH}: InfluxDB suite "${suite}" SKIPPED (apt-get install influxdb; CI sets REQUIRE_INFLUX=1)`;
  const bar = '!'.repeat(Math.min(reason.length, 100));
  process.stderr.write(`\n${bar}\n${reason}\n${bar}\n\n`);
  return reason;
}
