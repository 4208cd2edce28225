import type { DecodedReading } from '#src/contracts/reading.js';

/**
 * Why an incoming message was refused. Each reason is a Prometheus label value, so the set is
 * closed; the human detail goes in {@link Rejection.detail}.
 */
export const REJECTION_REASONS = [
  'topic', // topic does not name a known format / valid id
  'too-large', // payload over the size limit, refused before parsing
  'parse', // not JSON / not base64 / invalid UTF-8
  'schema', // JSON of the wrong shape or types
  'range', // a value outside physical bounds (ARCHITECTURE.md §4)
  'future', // measuredAt too far in the future
  'empty', // no measurement at all
  'codec', // payload bytes not decodable (truncated Cayenne LPP frame, unknown type)
  'unknown-device', // no registered device for this id / DevEUI
  'unbound-device', // device known but on no container at measuredAt
  'spoofed', // payload claims another identity than its topic / credential
  'wrong-application', // LoRaWAN uplink on the topic of an application the device does not belong to
  'conflict', // another reading of this device at the same measuredAt, with other values, was kept
  'internal', // a fault of ours while handling the message: refused and counted, never dropped silently
] as const;

export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface Rejection {
  reason: RejectionReason;
  /** Specific, human-readable: which field, which value, which byte offset. */
  detail: string;
  /** Device id (or DevEUI) as far as known, for the per-device rejections log. */
  deviceId?: string;
}

export type DecodeResult = { ok: true; readings: DecodedReading[] } | { ok: false; rejection: Rejection };

export function rejected(reason: RejectionReason, detail: string, deviceId?: string): DecodeResult {
  return { ok: false, rejection: { reason, detail, deviceId } };
}
