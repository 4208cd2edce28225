import type { ConsumerDeserializer, IncomingEvent } from '@nestjs/microservices';

/**
 * Devices publish raw payloads, not Nest's `{pattern, data}` envelope. Every message becomes an
 * event on its topic (never a request: a payload with an `id` field must not make Nest publish
 * a reply). Handlers read the exact payload bytes from the MQTT packet in the context.
 */
export class RawPayloadDeserializer implements ConsumerDeserializer {
  deserialize(_value: unknown, options?: Record<string, unknown>): IncomingEvent {
    return { pattern: options?.channel as string, data: null };
  }
}
