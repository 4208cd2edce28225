import { DomainError } from '#src/common/domain-error.js';

/** A history question the adapter refuses to turn into InfluxQL (400). */
export class TelemetryQueryInvalidError extends DomainError {
  constructor(detail: string) {
    super('invalid', 'telemetry.query-invalid', detail);
  }
}

/** InfluxDB did not answer a read (503). */
export class TelemetryStoreUnavailableError extends DomainError {
  constructor(detail: string) {
    super('unavailable', 'telemetry.store-unavailable', detail);
  }
}
