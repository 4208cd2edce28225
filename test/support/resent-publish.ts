import { waitFor } from './wait-for.js';
import { publishPacket, RawMqttConnection, splitPackets } from './mqtt-raw.js';

/**
 * On a raw connection as `clientId` to the MQTT port `port`: `first` at QoS 1 (packet id 42),
 * then, as a device does when its PUBACK was lost, the same packet again with DUP set
 * [MQTT-3.3.1-1], then `marker` (packet id 43), each once the one before was acknowledged.
 */
export async function publishResentThenMarker(
  port: number,
  clientId: string,
  topic: string,
  first: string,
  marker: string,
): Promise<void> {
  const raw = await RawMqttConnection.connected(port, { clientId });
  try {
    const pubacks = (): number => splitPackets(raw.received).filter((p) => p[0] >> 4 === 4).length;
    await raw.write(publishPacket(topic, first, { qos: 1, packetId: 42 }));
    await waitFor('the first PUBACK', () => pubacks() === 1);
    await raw.write(publishPacket(topic, first, { qos: 1, packetId: 42, dup: true }));
    await waitFor('the second PUBACK', () => pubacks() === 2);
    await raw.write(publishPacket(topic, marker, { qos: 1, packetId: 43 }));
    await waitFor('the marker’s PUBACK', () => pubacks() === 3);
  } finally {
    raw.destroy();
  }
}
