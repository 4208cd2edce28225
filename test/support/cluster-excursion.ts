import type { MqttClient } from 'mqtt';
import type pg from 'pg';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { CHILLED_EXCURSION, type ApiRequest } from './chilled-excursion.js';
import { waitFor } from './wait-for.js';

/** What a cluster excursion test has once its nodes are up (read when a probe runs, not before). */
export interface ExcursionNodes {
  admin: pg.Pool;
  /** The api node's HTTP port. */
  apiPort: number;
  /** The excursion's device, connected to an edge. */
  device: MqttClient | undefined;
}

/** A partition's position in the stream as a processor checkpointed it. */
export interface CheckpointedPosition {
  position: number;
  writtenAt: number;
}

/**
 * The probes the cluster excursion tests share (a chilled excursion played a reading a minute
 * from `t0` through an edge, the excursion's temperatures unless `temperatureAt` says others,
 * processors killed or silenced under it): REST of the api node as
 * admin, the minutes stored for the device, sending a minute and waiting for its row, and the
 * position checkpointed for `partition`.
 */
export function excursionProbes(
  nodes: () => ExcursionNodes,
  {
    adminKey,
    t0,
    partition,
    temperatureAt = CHILLED_EXCURSION.temperatureAt,
  }: { adminKey: string; t0: number; partition: number; temperatureAt?: (minute: number) => number },
) {
  const request: ApiRequest = async (path, init) => {
    const response = await fetch(`http://127.0.0.1:${nodes().apiPort}/api/v1${path}`, {
      ...init,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    });
    return { status: response.status, body: await response.json() };
  };
  /** The minutes (from `t0`) of the device's stored readings, in order. */
  const stored = async (): Promise<number[]> => {
    const { rows } = await nodes().admin.query<{ measured_at: string }>(
      'SELECT measured_at FROM readings WHERE device_id = $1 ORDER BY measured_at',
      [CHILLED_EXCURSION.device],
    );
    return rows.map((r) => (Number(r.measured_at) - t0) / 60_000);
  };
  /** Sends minute `m` QoS 1 through the edge (resolved at its PUBACK) and waits until it is stored. */
  const send = async (m: number): Promise<void> => {
    const device = nodes().device;
    if (device === undefined) throw new Error('the device is not connected');
    await device.publishAsync(
      deviceTelemetryTopic(CHILLED_EXCURSION.device),
      JSON.stringify({ ts: t0 + m * 60_000, temperature: temperatureAt(m) }),
      { qos: 1 },
    );
    await waitFor(`minute ${m} stored`, async () => (await stored()).includes(m), 10_000, 50);
  };
  const checkpointed = async (): Promise<CheckpointedPosition | undefined> => {
    const { rows } = await nodes().admin.query<{ position: string; written_at: string }>(
      "SELECT position, written_at FROM partition_checkpoint WHERE log = 'stream' AND partition = $1",
      [partition],
    );
    return rows[0] && { position: Number(rows[0].position), writtenAt: Number(rows[0].written_at) };
  };
  /** The partition's position checkpointed last, once one was written after `afterMs`. */
  const checkpointAfter = (what: string, afterMs: number): Promise<CheckpointedPosition> =>
    waitFor(
      what,
      async () => {
        const row = await checkpointed();
        return row !== undefined && row.writtenAt > afterMs && row;
      },
      15_000,
      100,
    );
  return { request, stored, send, checkpointed, checkpointAfter };
}
