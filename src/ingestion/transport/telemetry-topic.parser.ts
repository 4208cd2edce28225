import { isValidId } from '#src/contracts/identifiers.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';

// The level around the id, taken from the contract's own builder so the two cannot drift apart.
const [PREFIX, SUFFIX] = deviceTelemetryTopic('+').split('+');

/**
 * The device id of a `v1/devices/{deviceId}/telemetry` topic, or undefined: what
 * `parseTopic(topic)` says for that kind, without splitting the topic into an array of levels
 * (this runs for every native message). An id is never empty and never holds `/`
 * ({@link isValidId}), so prefix, id and suffix are the topic's four levels.
 */
export function telemetryTopicDeviceId(topic: string): string | undefined {
  if (topic.length <= PREFIX.length + SUFFIX.length) return undefined;
  if (!topic.startsWith(PREFIX) || !topic.endsWith(SUFFIX)) return undefined;
  const id = topic.slice(PREFIX.length, topic.length - SUFFIX.length);
  return isValidId(id) ? id : undefined;
}
