/**
 * Identifiers that travel on the wire (device, container, site, shipment ids).
 *
 * Rules, checked by {@link isValidId}:
 * 1. 1 to 64 characters;
 * 2. ASCII letters, digits, `.`, `_` and `-` only, first character a letter or digit;
 * 3. no `..`.
 *
 * This keeps ids safe as MQTT topic levels (no `+`, `#`, `/`, NUL [MQTT-1.5.3-2]), as InfluxDB
 * tag values and in URLs, and rejects look-alikes (Cyrillic `С`) and path tricks (`..`).
 */
export const ID_PATTERN = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Maximum length of any identifier. */
export const ID_MAX_LENGTH = 64;

export function isValidId(value: unknown): value is string {
  // One pattern for both sides: an id the REST API accepts is one a device may publish under.
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/**
 * A LoRaWAN network-server application as its uplink topics name it: a ChirpStack application id
 * (one id, `application/{id}/…`) or a TTS `{applicationId}@{tenantId}` (`v3/{…}/…`).
 */
export const LORAWAN_APPLICATION_PATTERN =
  /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,63}(@[A-Za-z0-9][A-Za-z0-9._-]{0,63})?$/;

/** A LoRaWAN DevEUI: 16 hexadecimal digits (EUI-64). Compared lower-case. */
export const DEV_EUI_PATTERN = /^[0-9a-fA-F]{16}$/;

export function normalizeDevEui(value: string): string {
  return value.toLowerCase();
}
