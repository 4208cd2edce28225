// The writer side of the outbox catch-up bench, in a process of its own so that its CPU is the
// writer's (and the producer's), not the shim's or the proxy's. argv: <influx url> <data dir>
// <readings/s>. Writes readings at that rate from 'start' to 'end', flushing a few at a time as
// the inbox does; notes its CPU and the writer's counters at every phase the parent announces.
import { Logger } from '@nestjs/common';
import { defaultConfig } from '#src/app-settings.js';
import { counterValue, makeReading, openWriter } from '#test/support/influx/influx-fixture.js';
import type { CatchupCommand, CatchupEvent, PhaseMark } from './outbox-catchup.protocol.js';

const [url, dataDir, rateText] = process.argv.slice(2);
const RATE = Number(rateText);
/** One flush per tick, as the inbox drain flushes after each group commit of the broker. */
const TICK_MS = 2;

Logger.overrideLogger(['error']);
// Production settings (AppConfig defaults): batch size, flush interval, concurrency, backoff.
const config = defaultConfig({
  DATA_DIR: dataDir,
  INFLUX_URL: url,
  INFLUX_BUCKET: 'telemetry/autogen',
});
const h = await openWriter(config);
const send = (event: CatchupEvent) => process.send?.(event);

let sent = 0;
let loadStartedAt = 0;
let running = false;
let returned = false;
let drained = false;
const marks: PhaseMark[] = [];
const outboxLines: [number, number, number][] = [];

async function mark(phase: string): Promise<PhaseMark> {
  const cpu = process.cpuUsage();
  const m: PhaseMark = {
    phase,
    at: Date.now(),
    cpuS: (cpu.user + cpu.system) / 1e6,
    sent,
    written: await counterValue(h.metrics, 'convoi_influx_points_written_total'),
    outboxLines: h.writer.status().outboxLines,
    outboxBatches: h.writer.status().outboxBatches,
  };
  marks.push(m);
  return m;
}

async function load(): Promise<void> {
  loadStartedAt = Date.now();
  while (running) {
    const due = Math.floor(((Date.now() - loadStartedAt) * RATE) / 1000) - sent;
    if (due > 0) {
      h.writer.write(
        Array.from({ length: due }, (_, k) =>
          makeReading(sent + k, {
            containerId: `K-C${(sent + k) % 1000}`,
            deviceId: `K-D${(sent + k) % 1000}`,
            temperatureC: ((sent + k) % 400) / 10 - 20,
            humidityPct: 40 + ((sent + k) % 50),
          }),
        ),
      );
      sent += due;
      // The inbox does not wait for the store before handling its next batch.
      void h.writer.flush();
    }
    if (returned && !drained && h.writer.status().outboxBatches === 0) {
      drained = true;
      send({ type: 'drained', mark: await mark('drained') });
    }
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
}

const sampler = setInterval(() => {
  const at = Date.now();
  const lines = h.writer.status().outboxLines;
  void counterValue(h.metrics, 'convoi_influx_points_written_total').then((written) =>
    outboxLines.push([at, lines, written]),
  );
}, 1000);
let loading: Promise<void> | undefined;

process.on('message', (raw) => {
  const command = raw as CatchupCommand;
  void (async () => {
    if (command.type === 'start') {
      running = true;
      loading = load();
      send({ type: 'started' });
    } else if (command.type === 'phase') {
      if (command.phase === 'returned') returned = true;
      send({ type: 'marked', mark: await mark(command.phase) });
    } else {
      running = false;
      await loading;
      const end = await mark('end');
      await h.writer.flush();
      // Bounded: what is still in the outbox after this is reported, not waited for.
      const deadline = Date.now() + 120_000;
      while (!h.writer.isHealthy() && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const settled = await mark('settled');
      clearInterval(sampler);
      await h.shutdown();
      send({ type: 'report', sent, marks, outboxLines, end, settled });
    }
  })();
});
send({ type: 'ready' });
