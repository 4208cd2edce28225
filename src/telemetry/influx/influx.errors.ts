/** Error codes of the InfluxDB adapter (the HTTP filter maps them to problem+json). */
export type InfluxErrorCode = 'TELEMETRY_QUERY_INVALID' | 'TELEMETRY_STORE_UNAVAILABLE';

/** A history question the adapter refuses to turn into InfluxQL (maps to 400). */
export class TelemetryQueryInvalidError extends Error {
  readonly code: InfluxErrorCode = 'TELEMETRY_QUERY_INVALID';
}

/** InfluxDB did not answer a read (maps to 503). */
export class TelemetryStoreUnavailableError extends Error {
  readonly code: InfluxErrorCode = 'TELEMETRY_STORE_UNAVAILABLE';
}
