import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

/** Every partition's subject: the stream takes them all. */
export const READINGS_SUBJECTS = 'convoi.readings.*';

/** The subject of one partition: a container's entries all go to its partition's subject. */
export function readingsSubject(partition: number): string {
  return `convoi.readings.${partition}`;
}

/**
 * How long the stream remembers an entry's id (`Nats-Msg-Id`): an append retried within it is
 * stored once. Two minutes, JetStream's default: longer than any append's timeout and retries.
 */
export const DUPLICATE_WINDOW_MS = 120_000;

/** The stream's settings convoi chooses. */
export interface ReadingsStreamSettings {
  readonly name: string;
  readonly replicas: number;
  readonly maxAgeHours: number;
  readonly maxMb: number;
}

/**
 * The stream's configuration: file storage (an acknowledged entry survives a crash of the
 * server), limits retention with `discard: new` so that a full stream refuses appends (the edge
 * then holds the PUBACK) rather than dropping old entries no processor has read yet; the age
 * limit does drop what is older, read or not.
 */
export function readingsStreamConfig(
  settings: ReadingsStreamSettings,
): Partial<StreamConfig> & { name: string } {
  return {
    name: settings.name,
    subjects: [READINGS_SUBJECTS],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.New,
    num_replicas: settings.replicas,
    max_age: nanos(settings.maxAgeHours * 3_600_000),
    max_bytes: settings.maxMb * 1024 * 1024,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  };
}

/** Creates the stream, or brings an existing one to these settings (storage cannot change). */
export async function ensureReadingsStream(
  jsm: JetStreamManager,
  settings: ReadingsStreamSettings,
): Promise<void> {
  const config = readingsStreamConfig(settings);
  try {
    await jsm.streams.info(config.name);
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) {
      await jsm.streams.add(config);
      return;
    }
    throw err;
  }
  await jsm.streams.update(config.name, config);
}
