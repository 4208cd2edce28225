import { parseTopic } from '#src/contracts/topics.js';
import type { DeviceDirectory } from '#src/fleet/device-directory.service.js';

/** The device a message is from and the container it was bound to then ('' for none). */
export interface Attribution {
  readonly deviceId: string;
  readonly containerId: string;
}

/**
 * Which device sent a message and which container it was on when the edge received it: the
 * partition of its log entry (ARCHITECTURE.md §9). The device comes from the topic, as the
 * pipeline finds it: a native device's id; a ChirpStack uplink's DevEUI, looked up; a TTS
 * uplink's device id, or the DevEUI it is registered under. The binding is the
 * {@link DeviceDirectory}'s, at `receivedAt`: the edge does not decode the payload, so a reading
 * measured before a rebind and sent after it goes to the new container's partition (its
 * processor still attributes it by measuredAt). The directory is the fleet's in-memory index,
 * re-read one device at a time when this node's fleet changes it.
 */
export function attribute(directory: DeviceDirectory, topic: string, receivedAt: number): Attribution {
  const deviceId = deviceOf(directory, topic);
  if (deviceId === '') return { deviceId, containerId: '' };
  return { deviceId, containerId: directory.containerAt(deviceId, receivedAt) ?? '' };
}

function deviceOf(directory: DeviceDirectory, topic: string): string {
  const parsed = parseTopic(topic);
  switch (parsed?.kind) {
    case 'deviceTelemetry':
    case 'deviceStatus':
      return parsed.deviceId;
    case 'chirpstackUplink':
      return directory.byDevEui(parsed.devEui)?.id ?? parsed.devEui;
    case 'ttsUplink':
      return (
        directory.byId(parsed.deviceId)?.id ?? directory.byDevEui(parsed.deviceId)?.id ?? parsed.deviceId
      );
    default:
      // An ingest topic that names no device: all of them in one partition, refused downstream.
      return '';
  }
}
