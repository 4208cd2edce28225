import { isValidId } from '#src/contracts/identifiers.js';
import { chirpstackUplinkTopic } from '#src/contracts/topics.js';
import type { ChirpstackUplinkTopic } from './chirpstack.decoder.js';

// The levels around the two ids, taken from the contract's own builder so they cannot drift apart.
const [PREFIX, MIDDLE, SUFFIX] = chirpstackUplinkTopic('+', '+').split('+');

/**
 * The application id and DevEUI of a ChirpStack uplink topic, or undefined: what
 * `parseTopic(topic)` says for that kind, without splitting the topic into an array of six
 * levels and their strings (this runs for every uplink: ~0.4 µs of split and checks a message).
 * An id is never empty and never holds `/` ({@link isValidId}), so the first `/` after the prefix
 * is where the middle levels start.
 */
export function parseChirpstackUplinkTopic(topic: string): ChirpstackUplinkTopic | undefined {
  if (!topic.startsWith(PREFIX) || !topic.endsWith(SUFFIX)) return undefined;
  const middle = topic.indexOf('/', PREFIX.length);
  const euiStart = middle + MIDDLE.length;
  const euiEnd = topic.length - SUFFIX.length;
  if (middle < 0 || euiStart > euiEnd || !topic.startsWith(MIDDLE, middle)) return undefined;
  const applicationId = topic.slice(PREFIX.length, middle);
  const devEui = topic.slice(euiStart, euiEnd);
  if (!isValidId(applicationId) || !isValidId(devEui)) return undefined;
  return { kind: 'chirpstackUplink', applicationId, devEui };
}
