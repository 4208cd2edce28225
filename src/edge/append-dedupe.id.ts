import { hash } from 'node:crypto';
import type { PublishOrigin } from '#src/broker/embedded-broker.js';

/**
 * The `Nats-Msg-Id` of a QoS 1 device message: the same for the message and its resends, so a
 * resend whose first copy the log stored (its PUBACK lost with a connection) is not stored twice
 * (JetStream's duplicate window, 2 minutes). A resend keeps the client id and packet identifier
 * [MQTT-2.3.1-4]; a device that restarts numbers its packets from 1 again, so the payload's hash is
 * part of it too: two different messages collide only if both are byte for byte the same under the
 * same packet identifier within the window. QoS 0 has no resend: no id (the log makes one).
 */
export function appendDedupeId(
  origin: PublishOrigin,
  clientId: string,
  topic: string,
  payload: Buffer,
): string | undefined {
  if (origin.qos === 0 || origin.messageId === undefined) return undefined;
  // One hash of all four: a fixed-length header value whatever the client id holds. One buffer
  // and the one-shot hash: a Hash object with two updates cost twice as much per message.
  const head = `${clientId}\0${origin.messageId}\0${topic}\0`;
  const headLength = Buffer.byteLength(head);
  const bytes = Buffer.allocUnsafe(headLength + payload.length);
  bytes.write(head, 0, 'utf8');
  payload.copy(bytes, headLength);
  return hash('sha1', bytes, 'base64url');
}
