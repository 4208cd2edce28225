import { Logger } from '@nestjs/common';
import { MqttContext } from '@nestjs/microservices';

/** One MQTT message as a handler sees it. */
export interface MqttMessage {
  topic: string;
  payload: Buffer;
}

/**
 * `@EventPattern` extra by which a handler says it accepts an {@link MqttMessageBatch}: the
 * inbox transport then calls it once per run of consecutive messages instead of once per message.
 */
export const ACCEPTS_MESSAGE_BATCH = 'acceptsMessageBatch';

/**
 * Several consecutive messages of one topic filter, handed to a handler as one MqttContext. Nest's
 * handler proxy (guards, pipes, interceptors, an rxjs chain and a few promises) then runs once per
 * run of messages, not once per message. Topic and packet are the first message's, so the context
 * still reads as that message to anything that does not know about batches.
 */
export class MqttMessageBatch extends MqttContext {
  constructor(readonly messages: readonly MqttMessage[]) {
    super([messages[0].topic, messages[0]]);
  }
}

const log = new Logger('MqttMessages');

/**
 * Calls `handle` with each message of the context, in order: the messages of a batch, or the one
 * message of a plain MqttContext (Nest's MQTT transport). A message that throws is logged and
 * does not stop the ones after it, as when each had its own handler call.
 */
export function forEachMqttMessage(
  context: MqttContext,
  handle: (topic: string, payload: Buffer) => unknown,
): void {
  if (context instanceof MqttMessageBatch) {
    for (const message of context.messages) handleSafely(message.topic, message.payload, handle);
    return;
  }
  handleSafely(context.getTopic(), payloadOf(context), handle);
}

function handleSafely(
  topic: string,
  payload: Buffer,
  handle: (topic: string, payload: Buffer) => unknown,
): void {
  try {
    handle(topic, payload);
  } catch (err) {
    log.error({ topic, err }, 'Handling a message failed');
  }
}

function payloadOf(context: MqttContext): Buffer {
  const payload = (context.getPacket() as { payload?: Buffer | string }).payload;
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload ?? '');
}
