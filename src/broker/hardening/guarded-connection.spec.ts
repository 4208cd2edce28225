import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import mqttPacket from 'mqtt-packet';
import { Clock } from '#src/common/clock.js';
import { DEFAULT_BROKER_LIMITS } from './broker-limits.js';
import { GuardedConnection, type GuardableSocket } from './guarded-connection.js';

/** A socket that records what is written to it. */
class RecordingSocket extends EventEmitter {
  readonly writes: Buffer[] = [];
  destroyed = false;
  writableLength = 0;
  remoteAddress = '127.0.0.1';
  remotePort = 40000;
  write(data: Buffer): boolean {
    this.writes.push(Buffer.from(data));
    return true;
  }
  end(): void {}
  destroy(): void {
    this.destroyed = true;
  }
  pause(): void {}
  resume(): void {}
}

describe(GuardedConnection.name, () => {
  it('hands the pieces of a packet to the socket in one write (one system call per PUBACK)', async () => {
    const socket = new RecordingSocket();
    const connection = new GuardedConnection(
      socket as unknown as GuardableSocket,
      DEFAULT_BROKER_LIMITS,
      new Clock(),
      () => undefined,
    );
    const packets = [7, 8, 9].map((messageId) => ({ cmd: 'puback' as const, messageId }));
    // As Aedes writes: mqtt-packet corks the stream and writes each packet in pieces.
    for (const packet of packets) mqttPacket.writeToStream(packet, connection);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(socket.writes.length, 1, `${socket.writes.length} socket writes`);
    assert.deepEqual(socket.writes[0], Buffer.concat(packets.map((p) => mqttPacket.generate(p))));
    connection.destroy();
  });
});
