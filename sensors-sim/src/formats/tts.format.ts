import { ttsUplinkTopic } from '#src/contracts/topics.js';
import type { Uplink } from '../lora/lora-channel.js';
import { LPP_FPORT, type LoraDeviceIds } from './chirpstack.format.js';
import type { EncodedMessage } from './native-json.format.js';
import { AIRTIME_S, EU868_CHANNELS_HZ, type NetworkIdentity } from './network-identity.js';

/** Join EUI of the simulated devices (TTS shows it upper-case). */
const JOIN_EUI = '70B3D57ED0000000';

/**
 * A The Things Stack v3 uplink message as published on `v3/{appId}@{tenantId}/devices/{id}/up`.
 * Like TTS (protobuf JSON), empty and zero fields are omitted: `f_cnt` is absent when it is 0.
 */
export function encodeTtsUplink(
  device: LoraDeviceIds,
  frame: Buffer,
  uplink: Uplink,
  ids: NetworkIdentity['tts'],
): EncodedMessage {
  const receivedAt = new Date(uplink.receivedAtMs).toISOString();
  const airtimeS = AIRTIME_S[uplink.spreadingFactor];
  const radioMs = uplink.receivedAtMs - 100;
  const gatewayTime = new Date(radioMs).toISOString();
  // Concentrator timestamps are a free-running 32-bit microsecond counter.
  const concentratorUs = (radioMs * 1000) % 2 ** 32;
  const channelIndex = uplink.fCnt % EU868_CHANNELS_HZ.length;
  const message = {
    end_device_ids: {
      device_id: device.deviceId,
      application_ids: { application_id: ids.applicationId },
      dev_eui: device.devEui.toUpperCase(),
      join_eui: JOIN_EUI,
      dev_addr: device.devAddr.toUpperCase(),
    },
    correlation_ids: [
      `as:up:${ulidLike(uplink.uplinkId)}`,
      `gs:uplink:${ulidLike(uplink.uplinkId.slice(9))}`,
    ],
    received_at: receivedAt,
    uplink_message: {
      session_key_id: Buffer.from(uplink.uplinkId.replace(/-/g, ''), 'hex').toString('base64'),
      f_port: LPP_FPORT,
      ...(uplink.fCnt === 0 ? {} : { f_cnt: uplink.fCnt }),
      frm_payload: frame.toString('base64'),
      rx_metadata: uplink.receptions.map((r) => ({
        gateway_ids: { gateway_id: `eui-${r.gateway.eui}`, eui: r.gateway.eui.toUpperCase() },
        time: gatewayTime,
        timestamp: concentratorUs,
        rssi: r.rssi,
        channel_rssi: r.rssi,
        snr: r.snr,
        location: {
          latitude: r.gateway.location.lat,
          longitude: r.gateway.location.lon,
          source: 'SOURCE_REGISTRY',
        },
        uplink_token: Buffer.from(`${r.gateway.eui}:${concentratorUs}`).toString('base64'),
        channel_index: channelIndex,
        received_at: receivedAt,
      })),
      settings: {
        data_rate: {
          lora: { bandwidth: 125000, spreading_factor: uplink.spreadingFactor, coding_rate: '4/5' },
        },
        frequency: String(EU868_CHANNELS_HZ[channelIndex]),
        timestamp: concentratorUs,
        time: gatewayTime,
      },
      received_at: receivedAt,
      consumed_airtime: `${airtimeS}s`,
      network_ids: { net_id: ids.netId, tenant_id: ids.tenantId, cluster_id: 'eu1' },
    },
  };
  return {
    topic: ttsUplinkTopic(ids.applicationId, ids.tenantId, device.deviceId),
    payload: Buffer.from(JSON.stringify(message)),
  };
}

/** 26 upper-case Crockford-ish characters, shaped like the ULIDs TTS puts in correlation ids. */
function ulidLike(seed: string): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const hex = seed.replace(/-/g, '').padEnd(26, '0');
  let out = '';
  for (let i = 0; i < 26; i++) out += alphabet[parseInt(hex[i % hex.length], 16) * 2 + (i % 2)];
  return out;
}
