import type { BrokerRejectionReason } from './broker-rejections.metric.js';
import { ByteCursor } from './byte-cursor.js';
import { checkTopicName, isCleanMqttString, type TopicLimits } from './mqtt-string.rules.js';

/** CONNACK return codes of MQTT 3.1.1 §3.2.2.3. */
export const ConnackCode = {
  unacceptableProtocol: 1,
  identifierRejected: 2,
  badUsernameOrPassword: 4,
} as const;

export interface ConnectLimits extends TopicLimits {
  keepaliveMaxS: number;
}

/** Longest username accepted, bytes: ids are at most 64; anything far longer is abuse. */
const MAX_USERNAME_BYTES = 256;
/**
 * Longest client id accepted, bytes. MQTT 3.1.1 lets a server refuse ids above 23 bytes
 * [MQTT-3.1.3-5]; stock clients and test suites send longer ones (Paho's, Mosquitto's test
 * names), so the bound only stops abuse (HOSTILE-INPUTS B5).
 */
export const MAX_CLIENT_ID_BYTES = 256;

export type ConnectVerdict =
  /** Accepted; `keepaliveOffset` is where the keep-alive sits in the body (to apply a limit to 0). */
  | { action: 'pass'; keepaliveS: number; keepaliveOffset: number }
  /** Answer this CONNACK code, then close [MQTT-3.2.2-5]. */
  | { action: 'connack'; code: number; reason: BrokerRejectionReason }
  /** Close without an answer [MQTT-4.8.0-1]. */
  | { action: 'close'; reason: BrokerRejectionReason };

/**
 * Checks a CONNECT body (variable header and payload) for what Aedes 1.2 lets through
 * (HOSTILE-INPUTS A3–A6, A15b, D4, D5). Protocol violations close; acceptable-but-refused
 * connections get the CONNACK code the spec names.
 */
export function inspectConnect(body: Buffer, limits: ConnectLimits): ConnectVerdict {
  const close = (reason: BrokerRejectionReason): ConnectVerdict => ({ action: 'close', reason });
  const connack = (code: number, reason: BrokerRejectionReason): ConnectVerdict => ({
    action: 'connack',
    code,
    reason,
  });
  const cursor = new ByteCursor(body);
  const name = cursor.lengthPrefixed()?.toString('latin1');
  const level = cursor.u8();
  const flags = cursor.u8();
  const keepaliveS = cursor.u16();
  if (keepaliveS === undefined) return close('malformed');
  // [MQTT-3.1.2-1]: another protocol name is not MQTT at all.
  if (name !== 'MQTT' && name !== 'MQIsdp') return close('malformed');
  // [MQTT-3.1.2-2]: a known name with an unsupported level (MQTT 5 included) gets 0x01.
  if (!(name === 'MQTT' && level === 4) && !(name === 'MQIsdp' && level === 3)) {
    return connack(ConnackCode.unacceptableProtocol, 'protocol_version');
  }
  if ((flags! & 0x01) !== 0) return close('malformed'); // [MQTT-3.1.2-3]
  const clean = (flags! & 0x02) !== 0;
  const willFlag = (flags! & 0x04) !== 0;
  const willQos = (flags! >> 3) & 0x03;
  const willRetain = (flags! & 0x20) !== 0;
  const passwordFlag = (flags! & 0x40) !== 0;
  const usernameFlag = (flags! & 0x80) !== 0;
  if (willQos === 3) return close('will_qos'); // [MQTT-3.1.2-14]
  if (!willFlag && (willQos !== 0 || willRetain)) return close('will_flags'); // [MQTT-3.1.2-13/-15]
  if (passwordFlag && !usernameFlag) return close('password_without_username'); // [MQTT-3.1.2-22]

  const clientId = cursor.lengthPrefixed();
  if (clientId === undefined) return close('malformed');
  let willTopic: Buffer | undefined;
  if (willFlag) {
    willTopic = cursor.lengthPrefixed();
    if (willTopic === undefined || cursor.lengthPrefixed() === undefined) return close('malformed');
  }
  const username = usernameFlag ? cursor.lengthPrefixed() : undefined;
  if (usernameFlag && username === undefined) return close('malformed');
  if (passwordFlag && cursor.lengthPrefixed() === undefined) return close('malformed');
  // Bytes after the last announced field: e.g. a username sent with its flag clear [MQTT-3.1.2-18].
  if (!cursor.atEnd()) return close('malformed');

  if (willTopic !== undefined) {
    const verdict = checkTopicName(willTopic, limits);
    if (verdict !== 'ok') return close(verdict);
  }
  if (clientId.length === 0) {
    // [MQTT-3.1.3-8]: no id, no session to keep.
    if (!clean) return connack(ConnackCode.identifierRejected, 'empty_client_id_persistent');
  } else if (clientId.length > MAX_CLIENT_ID_BYTES) {
    return connack(ConnackCode.identifierRejected, 'client_id_too_long');
  } else if (!isCleanMqttString(clientId)) {
    // Any UTF-8 is a valid id [MQTT-3.1.3-4], spaces included; control characters, NUL and
    // broken UTF-8 are not. A device's id is further bound to its username at authentication.
    return connack(ConnackCode.identifierRejected, 'client_id');
  }
  // CVE-2020-13849: a huge keep-alive lets idle sockets pile up. MQTT 3.1.1 has no code for
  // it; like Mosquitto's max_keepalive we answer "identifier rejected". Keep-alive 0 ("none",
  // [MQTT-3.1.2-10]) is accepted; the connection applies keepaliveMaxS to it instead.
  if (keepaliveS > limits.keepaliveMaxS) {
    return connack(ConnackCode.identifierRejected, 'keepalive');
  }
  if (username !== undefined && (username.length > MAX_USERNAME_BYTES || !isCleanMqttString(username))) {
    return connack(ConnackCode.badUsernameOrPassword, 'username');
  }
  // Protocol name (2 + its length), level and flags come before the keep-alive.
  return { action: 'pass', keepaliveS, keepaliveOffset: 2 + name.length + 2 };
}
