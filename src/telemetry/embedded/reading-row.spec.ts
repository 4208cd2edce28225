import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import type { Reading } from '#src/contracts/reading.js';
import { ReadingRowsBuilder, ROW_NUMBERS, textsOf, type ReadingRows } from './reading-row.js';

const reading = (containerId: string, deviceId: string, shipmentId?: string): Reading => ({
  containerId,
  deviceId,
  shipmentId,
  source: 'json',
  dedupeKey: `${deviceId}:t`,
  measuredAt: 1_700_000_000_000,
  receivedAt: 1_700_000_000_500,
  temperatureC: 4.5,
  quality: { lagMs: 500, late: false },
});

describe(ReadingRowsBuilder.name, () => {
  it('hands its rows over in one piece: after a trip across threads the texts come out in row order', () => {
    const builder = new ReadingRowsBuilder();
    builder.add(reading('CT-1', 'dev-1', 'SH-9'));
    builder.add(reading('CT-22', 'dev-22'));
    const rows = builder.take();
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(rows);
    const received = receiveMessageOnPort(port2)?.message as ReadingRows;
    port1.close();
    assert.equal(received.rows, 2);
    assert.equal(typeof received.texts, 'string', 'the texts cross as one string');
    assert.deepEqual(textsOf(received), ['CT-1', 'dev-1', 'SH-9', 'json', 'CT-22', 'dev-22', '', 'json']);
    assert.equal(received.numbers.length, 2 * ROW_NUMBERS);
    assert.equal(received.numbers[ROW_NUMBERS + 2], 4.5);
  });

  it('starts afresh after take', () => {
    const builder = new ReadingRowsBuilder();
    builder.add(reading('CT-1', 'dev-1'));
    builder.take();
    builder.add(reading('CT-2', 'dev-2'));
    assert.deepEqual(textsOf(builder.take()), ['CT-2', 'dev-2', '', 'json']);
    assert.deepEqual(textsOf(builder.take()), []);
  });
});
