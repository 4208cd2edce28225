import type { BrokerRejectionReason } from './broker-rejections.metric.js';
import { ByteCursor } from './byte-cursor.js';
import type { MqttFrame } from './mqtt-frame.reader.js';
import { checkTopicFilter, checkTopicName, type TopicLimits } from './mqtt-string.rules.js';

/** MQTT 3.1.1 packet types (§2.2.1). */
export const PacketType = {
  connect: 1,
  connack: 2,
  publish: 3,
  puback: 4,
  pubrec: 5,
  pubrel: 6,
  pubcomp: 7,
  subscribe: 8,
  suback: 9,
  unsubscribe: 10,
  unsuback: 11,
  pingreq: 12,
  pingresp: 13,
  disconnect: 14,
} as const;

/**
 * Checks a packet a client sends after its CONNECT. Returns `ok` or why the connection must be
 * closed [MQTT-4.8.0-1]. Covers what Aedes 1.2 lets through (HOSTILE-INPUTS A9–A14, C4, B5)
 * and repeats the cheap checks it does itself, so every refusal is counted in one place.
 */
export function inspectControlPacket(frame: MqttFrame, limits: TopicLimits): 'ok' | BrokerRejectionReason {
  switch (frame.type) {
    case PacketType.connect:
      return 'second_connect'; // [MQTT-3.1.0-2]
    case PacketType.connack:
    case PacketType.suback:
    case PacketType.unsuback:
    case PacketType.pingresp:
      return 'server_only_packet';
    case PacketType.publish:
      return inspectPublish(frame, limits);
    case PacketType.puback:
    case PacketType.pubrec:
    case PacketType.pubcomp:
      return inspectAck(frame, 0);
    case PacketType.pubrel:
      return inspectAck(frame, 0b0010); // [MQTT-3.6.1-1]
    case PacketType.subscribe:
      return inspectSubscribe(frame, limits, true);
    case PacketType.unsubscribe:
      return inspectSubscribe(frame, limits, false);
    case PacketType.pingreq:
    case PacketType.disconnect:
      // [MQTT-2.2.2-2]: reserved flags are 0; both have no body (HOSTILE-INPUTS A11).
      return frame.flags === 0 && frame.body.length === 0 ? 'ok' : 'malformed';
    default:
      return 'malformed'; // types 0 and 15 are reserved
  }
}

function inspectPublish(frame: MqttFrame, limits: TopicLimits): 'ok' | BrokerRejectionReason {
  const qos = (frame.flags >> 1) & 0x03;
  const dup = (frame.flags & 0x08) !== 0;
  if (qos === 3) return 'malformed'; // [MQTT-3.3.1-4]
  if (qos === 0 && dup) return 'malformed'; // [MQTT-3.3.1-2]
  const cursor = new ByteCursor(frame.body);
  const topic = cursor.lengthPrefixed();
  if (topic === undefined) return 'malformed';
  const topicVerdict = checkTopicName(topic, limits);
  if (topicVerdict !== 'ok') return topicVerdict;
  if (qos > 0) {
    const packetId = cursor.u16();
    if (packetId === undefined) return 'malformed';
    if (packetId === 0) return 'packet_id_zero'; // [MQTT-2.3.1-1]
  }
  return 'ok';
}

/** PUBACK, PUBREC, PUBREL, PUBCOMP: exactly a non-zero packet id (HOSTILE-INPUTS A13). */
function inspectAck(frame: MqttFrame, expectedFlags: number): 'ok' | BrokerRejectionReason {
  if (frame.flags !== expectedFlags || frame.body.length !== 2) return 'malformed';
  return frame.body.readUInt16BE(0) === 0 ? 'packet_id_zero' : 'ok';
}

/**
 * SUBSCRIBE (filter + requested QoS pairs) and UNSUBSCRIBE (filters): flags 0b0010
 * [MQTT-3.8.1-1]/[MQTT-3.10.1-1], a non-zero id, at least one filter
 * [MQTT-3.8.3-3]/[MQTT-3.10.3-2], requested QoS 0–2 with reserved bits 0 [MQTT-3.8.3-4].
 */
function inspectSubscribe(
  frame: MqttFrame,
  limits: TopicLimits,
  withQos: boolean,
): 'ok' | BrokerRejectionReason {
  if (frame.flags !== 0b0010) return 'malformed';
  const cursor = new ByteCursor(frame.body);
  const packetId = cursor.u16();
  if (packetId === undefined) return 'malformed';
  if (packetId === 0) return 'packet_id_zero';
  if (cursor.atEnd()) return 'malformed';
  while (!cursor.atEnd()) {
    const filter = cursor.lengthPrefixed();
    if (filter === undefined) return 'malformed';
    if (withQos) {
      const qos = cursor.u8();
      if (qos === undefined || qos > 2) return 'malformed';
    }
    const verdict = checkTopicFilter(filter, limits);
    if (verdict !== 'ok') return verdict;
  }
  return 'ok';
}
