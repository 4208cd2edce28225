import { parseTopic } from '#src/contracts/topics.js';
import type { Principal } from './principal.js';

/**
 * The topic ACL of the embedded broker: deny by default, pure.
 *
 * 1. Nobody publishes to `$SYS` (the broker's own, read-only); only anonymous (development)
 *    clients publish to other `$`-topics, which no wildcard filter matches [MQTT-4.7.2-1], so
 *    they reach only a client that subscribed to them by name (Paho's interoperability suite).
 * 2. A device publishes only `v1/devices/{own id}/telemetry` and `/status`, subscribes to
 *    nothing and is forwarded nothing.
 * 3. A ChirpStack / TTS integration publishes and subscribes only inside its tree
 *    (`application/…`, `v3/…`), without wildcards in its filters.
 * 4. Operators read everything (alerts, `$SYS`, wildcards) and publish nothing.
 * 5. The platform reads everything and publishes only alert events `v1/containers/{id}/alerts`.
 * 6. Anonymous (development only) may do anything but rule 1.
 * 7. Retained messages ({@link canRetain}) only on device status topics.
 */
export function canPublish(principal: Principal, topic: string): boolean {
  if (topic.startsWith('$') && (principal.kind !== 'anonymous' || isSys(topic))) return false;
  switch (principal.kind) {
    case 'device': {
      const parsed = parseTopic(topic);
      return (
        (parsed?.kind === 'deviceTelemetry' || parsed?.kind === 'deviceStatus') &&
        parsed.deviceId === principal.name
      );
    }
    case 'chirpstack':
    case 'tts':
      return isInside(topic, principal.topicRoot);
    case 'operator':
      return false;
    case 'platform':
      return parseTopic(topic)?.kind === 'containerAlerts';
    case 'anonymous':
      return true;
  }
}

/**
 * Whether a PUBLISH that {@link canPublish} allows may carry the RETAIN flag. The broker keeps
 * one retained message per topic for ever, so retain is what turns a publish flood into memory
 * that is never released (HOSTILE-INPUTS B10). Only a device's own `status` (its online flag
 * and Last Will `offline`, ARCHITECTURE.md §3) is meant to be retained; a retained telemetry or uplink
 * would also be replayed to every consumer that (re)subscribes, as a reading it already had.
 * Anonymous (development) clients may retain on any device's status topic.
 */
export function canRetain(principal: Principal, topic: string): boolean {
  const parsed = parseTopic(topic);
  if (parsed?.kind !== 'deviceStatus') return false;
  switch (principal.kind) {
    case 'device':
      return parsed.deviceId === principal.name;
    case 'anonymous':
      return true;
    case 'chirpstack':
    case 'tts':
    case 'operator':
    case 'platform':
      return false;
  }
}

/** Whether a SUBSCRIBE to `filter` is granted; a refusal is answered with SUBACK 0x80. */
export function canSubscribe(principal: Principal, filter: string): boolean {
  switch (principal.kind) {
    case 'device':
      return false;
    case 'chirpstack':
    case 'tts':
      return !hasWildcard(filter) && isInside(filter, principal.topicRoot);
    case 'operator':
    case 'platform':
    case 'anonymous':
      return true;
  }
}

/**
 * Whether a message on `topic` may be delivered to this principal (Aedes `authorizeForward`):
 * a second line behind {@link canSubscribe}, e.g. for sessions restored from persistence.
 */
export function canReceive(principal: Principal, topic: string): boolean {
  switch (principal.kind) {
    case 'device':
      return false;
    case 'chirpstack':
    case 'tts':
      return isInside(topic, principal.topicRoot);
    case 'operator':
    case 'platform':
    case 'anonymous':
      return true;
  }
}

/** A valid topic root of an integration: its default tree or a subtree of it. */
export function isValidTopicRoot(root: string, defaultRoot: string): boolean {
  return (
    (root === defaultRoot || root.startsWith(`${defaultRoot}/`)) && !hasWildcard(root) && !root.endsWith('/')
  );
}

function isInside(topic: string, root: string): boolean {
  return topic.startsWith(`${root}/`) && topic.length > root.length + 1;
}

function isSys(topic: string): boolean {
  return topic === '$SYS' || topic.startsWith('$SYS/');
}

function hasWildcard(filter: string): boolean {
  return filter.includes('+') || filter.includes('#');
}
