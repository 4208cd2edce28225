import { chirpstackUplinkTopic } from '#src/contracts/topics.js';
import type { Uplink } from '../lora/lora-channel.js';
import type { EncodedMessage } from './native-json.format.js';
import { EU868_CHANNELS_HZ, euDataRate, type NetworkIdentity } from './network-identity.js';

/** FPort of the logger's Cayenne LPP uplinks. */
export const LPP_FPORT = 1;

/** How a LoRaWAN device is known to the network server. */
export interface LoraDeviceIds {
  deviceId: string;
  /** 16 lower-case hex digits. */
  devEui: string;
  /** 8 hex digits. */
  devAddr: string;
  containerId?: string;
}

/**
 * A ChirpStack v4 uplink event as its MQTT integration publishes it, in the 4.1+ shape (fields
 * with default values present), as `application/{applicationId}/device/{devEui}/event/up`.
 */
export function encodeChirpstackUplink(
  device: LoraDeviceIds,
  frame: Buffer,
  uplink: Uplink,
  ids: NetworkIdentity['chirpstack'],
): EncodedMessage {
  const frequency = EU868_CHANNELS_HZ[uplink.fCnt % EU868_CHANNELS_HZ.length];
  const event = {
    deduplicationId: uplink.uplinkId,
    time: new Date(uplink.receivedAtMs).toISOString(),
    deviceInfo: {
      tenantId: ids.tenantId,
      tenantName: 'convoi',
      applicationId: ids.applicationId,
      applicationName: 'convoi-sim',
      deviceProfileId: ids.deviceProfileId,
      deviceProfileName: 'reefer-logger-lpp',
      deviceName: device.deviceId,
      devEui: device.devEui,
      deviceClassEnabled: 'CLASS_A',
      tags: device.containerId ? { container: device.containerId } : {},
    },
    devAddr: device.devAddr,
    adr: true,
    dr: euDataRate(uplink.spreadingFactor),
    fCnt: uplink.fCnt,
    fPort: LPP_FPORT,
    confirmed: false,
    data: frame.toString('base64'),
    rxInfo: uplink.receptions.map((r, i) => ({
      gatewayId: r.gateway.eui,
      uplinkId: (parseInt(uplink.uplinkId.slice(0, 8), 16) + i) >>> 0,
      gwTime: new Date(uplink.receivedAtMs - 100).toISOString(),
      rssi: r.rssi,
      snr: r.snr,
      channel: uplink.fCnt % EU868_CHANNELS_HZ.length,
      rfChain: 0,
      location: { latitude: r.gateway.location.lat, longitude: r.gateway.location.lon, altitude: 0 },
      context: Buffer.from(uplink.uplinkId.slice(0, 8), 'hex').toString('base64'),
      metadata: { region_config_id: 'eu868', region_common_name: 'EU868' },
      crcStatus: 'CRC_OK',
    })),
    txInfo: {
      frequency,
      modulation: {
        lora: { bandwidth: 125000, spreadingFactor: uplink.spreadingFactor, codeRate: 'CR_4_5' },
      },
    },
  };
  return {
    topic: chirpstackUplinkTopic(ids.applicationId, device.devEui),
    payload: Buffer.from(JSON.stringify(event)),
  };
}
