import { request } from 'node:http';
import type { Reading } from '#src/contracts/reading.js';
import { readingToLine } from '#src/telemetry/influx/influx-line-protocol.js';
import { influxTestConfig, makeReading, openWriter } from '#test/support/influx/influx-fixture.js';

/** Lines per request, and requests in flight: the writer's production defaults, for both sides. */
export const WRITE_BATCH = 5000;
export const WRITE_CONCURRENCY = 4;

/**
 * The points of one run: 1,000 containers with one device each, one reading a second per device.
 * Every run writes the same series (created once, in a warm-up run) in a time range of its own,
 * so no run pays for series creation and none overwrites another.
 */
export function benchReadings(run: number, points: number): Reading[] {
  return Array.from({ length: points }, (_, i) =>
    makeReading(run * 1_000_000 + Math.floor(i / 1000), {
      containerId: `B-C${i % 1000}`,
      deviceId: `B-D${i % 1000}`,
      temperatureC: (i % 400) / 10 - 20,
      humidityPct: 40 + (i % 50),
      batteryPct: 90,
      quality: { fCnt: i, rssi: -100 + (i % 30), snr: 5.5, gateways: 2, lagMs: 300, late: false },
    }),
  );
}

function post(url: URL, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' } },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 204 ? resolve() : reject(new Error(`raw write answered ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Raw: prebuilt line protocol, batches of {@link WRITE_BATCH}, {@link WRITE_CONCURRENCY} requests
 * in flight, no gzip. Returns the seconds from the first request to the last answer.
 */
export async function rawWriteRun(shimUrl: string, run: number, points: number): Promise<number> {
  const problems = { skippedField: () => undefined, skippedPoint: () => undefined };
  const lines = benchReadings(run, points).map((r) => readingToLine(r, problems) as string);
  const bodies: string[] = [];
  for (let i = 0; i < lines.length; i += WRITE_BATCH) bodies.push(lines.slice(i, i + WRITE_BATCH).join('\n'));
  const url = new URL(`${shimUrl}/api/v2/write?org=convoi&bucket=telemetry/autogen&precision=ms`);
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++];
      // A kept-alive socket the server closed while idle: send again, as our writer would.
      await post(url, body).catch(() => post(url, body));
    }
  };
  await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, worker));
  return (performance.now() - started) / 1000;
}

/**
 * Ours: Reading objects in, in message-sized slices as from the MQTT consumer; serialization,
 * batching, compression and outbox bookkeeping included; the production batch settings. Returns
 * the seconds until InfluxDB acknowledged everything (what spilled to the outbox included) and the
 * most lines seen waiting in the outbox.
 */
export async function writerWriteRun(
  shimUrl: string,
  dataDir: string,
  run: number,
  points: number,
): Promise<{ seconds: number; maxOutboxLines: number }> {
  const input = benchReadings(run, points);
  const h = await openWriter(
    influxTestConfig(shimUrl, `${dataDir}/run-${run}`, {
      INFLUX_BATCH_SIZE: WRITE_BATCH,
      INFLUX_FLUSH_MS: 1000,
      INFLUX_MAX_IN_FLIGHT: WRITE_CONCURRENCY,
      INFLUX_TIMEOUT_MS: 30_000,
    }),
  );
  let maxOutboxLines = 0;
  const started = performance.now();
  for (let i = 0; i < input.length; i += 1000) {
    h.writer.write(input.slice(i, i + 1000));
    maxOutboxLines = Math.max(maxOutboxLines, h.writer.status().outboxLines);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await h.writer.flush();
  // A burst faster than InfluxDB spills to the outbox: the run ends when that is written too.
  while (!h.writer.isHealthy()) await new Promise((resolve) => setTimeout(resolve, 5));
  const seconds = (performance.now() - started) / 1000;
  await h.shutdown();
  return { seconds, maxOutboxLines };
}
