import { decodeCayenneLpp } from '#src/ingestion/codecs/cayenne-lpp.codec.js';
import { applyChannelMap, type MappedValues } from './channel-mapper.js';
import { readDecodedObject } from './decoded-object.js';
import { DEFAULT_CHANNEL_MAP, type LoraDevice } from './device-lookup.js';
import { decodeBase64, EnvelopeError, type JsonObject } from './envelope-reader.js';

/**
 * The measurements of one uplink (ARCHITECTURE.md §3): the network server's decoded object when there
 * is one and the device has no channel map of ours, else the raw bytes as Cayenne LPP through the
 * device's map (or the default one). An empty `{}` object counts as none.
 */
export function readUplinkValues(
  device: LoraDevice,
  decoded: JsonObject | undefined,
  decodedPath: string,
  data: string | undefined,
  dataPath: string,
): MappedValues {
  const out: MappedValues = {};
  const hasDecoded = decoded !== undefined && hasAnyKey(decoded);
  if (hasDecoded && (device.channelMap === undefined || data === undefined)) {
    readDecodedObject(decoded, decodedPath, out);
    return out;
  }
  if (data === undefined)
    throw new EnvelopeError('empty', `uplink carries neither ${dataPath} nor ${decodedPath}`);
  const result = decodeCayenneLpp(decodeBase64(data, dataPath));
  if (!result.ok) throw new EnvelopeError('codec', `${dataPath}: ${result.reason}`);
  const misfit = applyChannelMap(result.values, device.channelMap ?? DEFAULT_CHANNEL_MAP, out);
  if (misfit !== undefined) throw new EnvelopeError('codec', `${dataPath}: ${misfit}`);
  return out;
}

function hasAnyKey(obj: JsonObject): boolean {
  for (const key in obj) if (Object.hasOwn(obj, key)) return true;
  return false;
}
