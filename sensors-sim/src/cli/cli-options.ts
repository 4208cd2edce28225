import { InvalidArgumentError } from 'commander';
import { WIRE_FORMATS, type WireFormat } from '../scenario/scenario.types.js';

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `30s`, `15m`, `2h`, `1d`, or a bare number of seconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError(`"${value}" is not a duration (examples: 30s, 15m, 2h, 1d)`);
  const ms = Number(match[1]) * UNITS_MS[match[2] ?? 's'];
  if (ms <= 0) throw new InvalidArgumentError('a duration must be positive');
  return Math.round(ms);
}

export function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`"${value}" is not a positive number`);
  return n;
}

export function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) {
    throw new InvalidArgumentError(`"${value}" is not a whole number between 1 and 1000000`);
  }
  return n;
}

/** A number within bounds (a measured value of `send`). */
export function numberIn(min: number, max: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`"${value}" must be a number between ${min} and ${max}`);
    }
    return n;
  };
}

export function parseFormat(value: string): WireFormat {
  if (!(WIRE_FORMATS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`"${value}" is not a format; use one of ${WIRE_FORMATS.join(', ')}`);
  }
  return value as WireFormat;
}

export function parseBrokerUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`"${value}" is not a URL (example: mqtt://127.0.0.1:1883)`);
  }
  if (!['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:'].includes(url.protocol)) {
    throw new InvalidArgumentError(`"${value}": use mqtt://, mqtts://, ws:// or wss://`);
  }
  return value;
}

export function parseHttpUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value.replace(/\/+$/, '');
  } catch {
    // reported below
  }
  throw new InvalidArgumentError(`"${value}" is not an http(s) URL (example: http://127.0.0.1:3000)`);
}

/** An ISO-8601 instant with a zone, or `now`. */
export function parseInstant(value: string): number {
  if (value === 'now') return Date.now();
  const ms = Date.parse(value);
  if (!/[zZ]|[+-]\d\d:?\d\d$/.test(value) || Number.isNaN(ms)) {
    throw new InvalidArgumentError(
      `"${value}" is not an ISO-8601 instant with a zone (example: 2026-03-02T06:00:00Z)`,
    );
  }
  return ms;
}

export function parseQos(value: string): 0 | 1 {
  if (value === '0') return 0;
  if (value === '1') return 1;
  throw new InvalidArgumentError('QoS must be 0 or 1');
}
