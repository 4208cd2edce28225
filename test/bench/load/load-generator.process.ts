// A set of MQTT publishers in their own process (devices are not inside the platform). Driven
// over IPC by the bench (load-protocol.ts): connect, run at a rate for a bounded time and count,
// disconnect. QoS 1, one topic per device; each client carries a share of the devices.
import mqtt, { type MqttClient } from 'mqtt';
import { chirpstackMessage, jsonMessage } from '../support/bench-fleet.js';
import { LatencyHistogram } from '../support/latency-histogram.js';
import type { LoadCommand, LoadReport } from './load-protocol.js';

const TICK_MS = 2;
let clients: MqttClient[] = [];
const inflight: number[] = [];
const seqOf = new Map<number, number>();
/** The last measuredAt each device sent, epoch ms. */
const lastWallOf = new Map<number, number>();
let cursor = 0;

const send = (report: LoadReport) => process.send?.(report);

async function connect(cmd: Extract<LoadCommand, { type: 'connect' }>): Promise<void> {
  let failed = 0;
  const attempts = Array.from({ length: cmd.clients }, (_, i) =>
    mqtt
      .connectAsync(cmd.url, {
        clientId: `${cmd.name}-${i}`,
        username: cmd.username,
        password: cmd.password,
        reconnectPeriod: 0,
        connectTimeout: 10_000,
        keepalive: 60,
      })
      .catch(() => {
        failed += 1;
        return undefined;
      }),
  );
  clients = (await Promise.all(attempts)).filter((c): c is MqttClient => c !== undefined);
  for (const c of clients) c.on('error', () => undefined);
  inflight.length = clients.length;
  inflight.fill(0);
  send({ type: 'connected', clients: clients.length, failed });
}

async function run(cmd: Extract<LoadCommand, { type: 'run' }>): Promise<void> {
  const acks = new LatencyHistogram();
  const limit = Math.min(
    cmd.maxMessages ?? Number.POSITIVE_INFINITY,
    Math.ceil((cmd.ratePerS * cmd.durationMs) / 1000),
  );
  let sent = 0;
  let acked = 0;
  let skipped = 0;
  let errors = 0;
  let due = 0;
  if (cmd.phaseMs) await new Promise((r) => setTimeout(r, cmd.phaseMs));
  const started = performance.now();
  const deadline = started + cmd.durationMs;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      due = Math.min(limit, Math.floor(((now - started) / 1000) * cmd.ratePerS));
      while (sent + skipped < due && clients.length > 0) {
        const d = cmd.devices[cursor % cmd.devices.length];
        // A device always publishes through the same client: its messages stay in order.
        // High bits of the product: its low bits follow d's parity (a JSON-only run has even d).
        const c = (Math.imul(d, 2654435761) >>> 8) % clients.length;
        cursor += 1;
        if (inflight[c] >= cmd.maxInflightPerClient || !clients[c].connected) {
          skipped += 1;
          continue;
        }
        const seq = (seqOf.get(d) ?? 0) + 1;
        seqOf.set(d, seq);
        // A device's readings are distinct instants (convoi identifies a reading by device and
        // measuredAt): after a stalled tick the cursor can reach one device twice in a millisecond.
        const wall = Math.max(Date.now(), (lastWallOf.get(d) ?? 0) + 1);
        lastWallOf.set(d, wall);
        const m = cmd.format === 'json' ? jsonMessage(d, seq, wall) : chirpstackMessage(d, seq, wall);
        const t0 = performance.now();
        inflight[c] += 1;
        sent += 1;
        clients[c].publish(m.topic, m.payload, { qos: 1 }, (err) => {
          inflight[c] -= 1;
          if (err) errors += 1;
          else {
            acked += 1;
            acks.record(performance.now() - t0);
          }
        });
      }
      if (sent + skipped >= limit || now >= deadline) resolve();
      else setTimeout(tick, TICK_MS);
    };
    tick();
  });
  const elapsedMs = performance.now() - started;
  // Acknowledgements still on their way are waited for, boundedly.
  const ackDeadline = performance.now() + 10_000;
  while (acked + errors < sent && performance.now() < ackDeadline)
    await new Promise((r) => setTimeout(r, 10));
  send({
    type: 'ran',
    sent,
    acked,
    skipped,
    errors,
    elapsedMs,
    ackLatency: acks.toData(),
    ackLatencyMax: acks.max,
  });
}

async function disconnect(abrupt: boolean): Promise<void> {
  await Promise.all(clients.map((c) => c.endAsync(abrupt).catch(() => undefined)));
  clients = [];
  send({ type: 'disconnected' });
}

process.on('message', (raw) => {
  const cmd = raw as LoadCommand;
  const done = (p: Promise<void>) =>
    p.catch((err: unknown) => process.stderr.write(`load: ${String(err)}\n`));
  if (cmd.type === 'connect') void done(connect(cmd));
  else if (cmd.type === 'run') void done(run(cmd));
  else if (cmd.type === 'disconnect') void done(disconnect(cmd.abrupt === true));
  else process.exit(0);
});
process.on('disconnect', () => process.exit(0));
