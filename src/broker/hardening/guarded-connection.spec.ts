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

  it('names a PROXY header sent to it (from an untrusted address) apart from other bad first bytes', () => {
    const firstBytes: [string, Buffer][] = [
      ['proxy_header_untrusted', Buffer.from('0d0a0d0a000d0a515549540a', 'hex')],
      ['proxy_header_untrusted', Buffer.from('PROXY TCP4 192.0.2.1 10.0.0.1 1 2\r\n')],
      ['first_packet_not_connect', Buffer.from('0d0b', 'hex')],
      ['first_packet_not_connect', Buffer.from('PUT / HTTP/1.1\r\n')],
      ['first_packet_not_connect', Buffer.from([0x30, 0x02, 0x00, 0x00])],
    ];
    for (const [expected, bytes] of firstBytes) {
      const socket = new RecordingSocket();
      const reasons: string[] = [];
      const connection = new GuardedConnection(
        socket as unknown as GuardableSocket,
        DEFAULT_BROKER_LIMITS,
        new Clock(),
        (reason) => reasons.push(reason),
      );
      // Split after its first byte: the fixed header is read across the two chunks.
      socket.emit('data', bytes.subarray(0, 1));
      socket.emit('data', bytes.subarray(1));
      assert.deepEqual(reasons, [expected], bytes.toString('latin1'));
      assert.equal(socket.destroyed, true);
      connection.destroy();
    }
  });

  it("takes the address and port a PROXY header named over the socket's", () => {
    const socket = new RecordingSocket();
    const peer = { address: '192.0.2.7', port: 51000 };
    const connection = new GuardedConnection(
      socket as unknown as GuardableSocket,
      DEFAULT_BROKER_LIMITS,
      new Clock(),
      () => undefined,
      peer,
    );
    assert.deepEqual([connection.remoteAddress, connection.remotePort], ['192.0.2.7', 51000]);
    connection.destroy();
  });
});
