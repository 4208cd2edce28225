import { isUtf8 } from 'node:buffer';

/**
 * Rules for MQTT UTF-8 strings and topics, checked on the raw bytes (a decoded JS string has
 * already turned invalid UTF-8 into U+FFFD and can no longer tell).
 *
 * 1. Well-formed UTF-8, no encoded surrogates U+D800–U+DFFF [MQTT-1.5.3-1].
 * 2. No U+0000 [MQTT-1.5.3-2].
 * 3. No control characters U+0001–U+001F, U+007F–U+009F and no non-characters U+FFFE/U+FFFF:
 *    the spec says SHOULD NOT; convoi's topics and ids are ASCII, so they are refused.
 */
export function isCleanMqttString(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b < 0x20 || b === 0x7f) return false;
    // U+0080–U+009F are C2 80 … C2 9F.
    if (b === 0xc2 && i + 1 < bytes.length && bytes[i + 1] <= 0x9f) return false;
    // U+FFFE / U+FFFF are EF BF BE / EF BF BF.
    if (b === 0xef && bytes[i + 1] === 0xbf && (bytes[i + 2] === 0xbe || bytes[i + 2] === 0xbf)) return false;
  }
  // Node's isUtf8 rejects overlong forms and encoded surrogates (ED A0 80 …).
  return isUtf8(bytes);
}

export type TopicVerdict = 'ok' | 'topic_invalid' | 'topic_too_long' | 'topic_levels';

export interface TopicLimits {
  maxTopicBytes: number;
  maxTopicLevels: number;
}

/** A PUBLISH topic name: non-empty [MQTT-4.7.3-1], no wildcards [MQTT-3.3.2-2], clean, bounded. */
export function checkTopicName(bytes: Buffer, limits: TopicLimits): TopicVerdict {
  if (bytes.length === 0) return 'topic_invalid';
  if (bytes.length > limits.maxTopicBytes) return 'topic_too_long';
  if (!isCleanMqttString(bytes)) return 'topic_invalid';
  if (bytes.includes(0x23) || bytes.includes(0x2b)) return 'topic_invalid';
  return levelCount(bytes) > limits.maxTopicLevels ? 'topic_levels' : 'ok';
}

/**
 * A SUBSCRIBE/UNSUBSCRIBE topic filter: non-empty [MQTT-4.7.3-1]; `#` only alone as the last
 * level [MQTT-4.7.1-2]; `+` only alone in its level [MQTT-4.7.1-3]; clean, bounded.
 */
export function checkTopicFilter(bytes: Buffer, limits: TopicLimits): TopicVerdict {
  if (bytes.length === 0) return 'topic_invalid';
  if (bytes.length > limits.maxTopicBytes) return 'topic_too_long';
  if (!isCleanMqttString(bytes)) return 'topic_invalid';
  const levels = bytes.toString('utf8').split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return 'topic_invalid';
    if (level.includes('+') && level !== '+') return 'topic_invalid';
  }
  return levels.length > limits.maxTopicLevels ? 'topic_levels' : 'ok';
}

function levelCount(bytes: Buffer): number {
  let count = 1;
  for (const b of bytes) if (b === 0x2f) count++;
  return count;
}
