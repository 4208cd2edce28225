import { chirpstackUplinkTopic } from '#src/contracts/topics.js';
import type { Uplink } from '../lora/lora-channel.js';
import type { SensorSample } from '../physics/sensor.model.js';
import type { SimDevice } from '../world/fleet.js';
import { lppFrame } from './lpp-frame.js';
import type { EncodedMessage } from './native-json.format.js';
import { EU868_CHANNELS_HZ, euDataRate, type NetworkIdentity } from './network-identity.js';

/** FPort of the logger's Cayenne LPP uplinks. */
export const LPP_FPORT = 1;

/**
 * A ChirpStack v4 uplink event as its MQTT integration publishes it, in the 4.1+ shape (fields
 * with default values present), as `application/{applicationId}/device/{devEui}/event/up`.
 */
export function encodeChirpstackUplink(
  device: SimDevice,
  devAddr: string,
  sample: SensorSample,
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
      tags: { container: device.containerId },
    },
    devAddr,
    adr: true,
    dr: euDataRate(uplink.spreadingFactor),
    fCnt: uplink.fCnt,
    fPort: LPP_FPORT,
    confirmed: false,
    data: lppFrame(sample).toString('base64'),
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
