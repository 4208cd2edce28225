import { isValidId } from './identifiers.js';

/**
 * MQTT topics of convoi, defined once (ARCHITECTURE.md §3). Build them with the helpers below and parse
 * incoming ones with the matching parser; never concatenate a topic inline.
 */
export const TOPIC_FILTERS = {
  /** Native JSON readings from devices speaking MQTT directly. */
  deviceTelemetry: 'v1/devices/+/telemetry',
  /** Device presence (`{"online": bool}`), usually a retained Last Will. */
  deviceStatus: 'v1/devices/+/status',
  /** ChirpStack v4 MQTT integration uplink events. */
  chirpstackUplink: 'application/+/device/+/event/up',
  /** The Things Stack v3 MQTT integration uplinks; `{appId}@{tenantId}` is one level. */
  ttsUplink: 'v3/+/devices/+/up',
  /** Alert events published by convoi. */
  containerAlerts: 'v1/containers/+/alerts',
} as const;

export function deviceTelemetryTopic(deviceId: string): string {
  return `v1/devices/${deviceId}/telemetry`;
}

export function deviceStatusTopic(deviceId: string): string {
  return `v1/devices/${deviceId}/status`;
}

export function chirpstackUplinkTopic(applicationId: string, devEui: string): string {
  return `application/${applicationId}/device/${devEui}/event/up`;
}

export function ttsUplinkTopic(applicationId: string, tenantId: string, deviceId: string): string {
  return `v3/${applicationId}@${tenantId}/devices/${deviceId}/up`;
}

export function containerAlertsTopic(containerId: string): string {
  return `v1/containers/${containerId}/alerts`;
}

/** What a topic names, once parsed. `undefined` from a parser means "not this topic". */
export type ParsedTopic =
  | { kind: 'deviceTelemetry'; deviceId: string }
  | { kind: 'deviceStatus'; deviceId: string }
  | { kind: 'chirpstackUplink'; applicationId: string; devEui: string }
  | { kind: 'ttsUplink'; applicationId: string; tenantId: string; deviceId: string }
  | { kind: 'containerAlerts'; containerId: string };

/**
 * Parses any convoi topic. Every id level must pass {@link isValidId}, so empty levels,
 * wildcards, NUL, look-alike letters and `..` never name a device.
 */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const levels = topic.split('/');
  switch (levels[0]) {
    case 'v1':
      return parseV1(levels);
    case 'application':
      if (levels.length === 6 && levels[2] === 'device' && levels[4] === 'event' && levels[5] === 'up') {
        const [, applicationId, , devEui] = levels;
        if (isValidId(applicationId) && isValidId(devEui)) {
          return { kind: 'chirpstackUplink', applicationId, devEui };
        }
      }
      return undefined;
    case 'v3':
      return parseTts(levels);
    default:
      return undefined;
  }
}

function parseV1(levels: string[]): ParsedTopic | undefined {
  if (levels.length !== 4 || !isValidId(levels[2])) return undefined;
  const id = levels[2];
  if (levels[1] === 'devices' && levels[3] === 'telemetry') return { kind: 'deviceTelemetry', deviceId: id };
  if (levels[1] === 'devices' && levels[3] === 'status') return { kind: 'deviceStatus', deviceId: id };
  if (levels[1] === 'containers' && levels[3] === 'alerts')
    return { kind: 'containerAlerts', containerId: id };
  return undefined;
}

function parseTts(levels: string[]): ParsedTopic | undefined {
  if (levels.length !== 5 || levels[2] !== 'devices' || levels[4] !== 'up') return undefined;
  const [appId, tenantId, ...rest] = levels[1].split('@');
  if (rest.length > 0 || !isValidId(appId) || !isValidId(tenantId) || !isValidId(levels[3])) {
    return undefined;
  }
  return { kind: 'ttsUplink', applicationId: appId, tenantId, deviceId: levels[3] };
}
