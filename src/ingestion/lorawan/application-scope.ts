import type { LoraDevice } from './device-lookup.js';

/**
 * Why an uplink for `device` may not arrive on the topic of `application`, or undefined when it
 * may. The topic is the authority here, not the envelope: the broker's ACL confines each
 * network-server integration to its `topicRoot` (e.g. `application/42`), so the topic's
 * application is one the publishing integration was allowed, whereas the envelope is whatever it
 * wrote. A device that names its application can then only be spoken for by an integration
 * allowed that application's topics. A device naming none is accepted from any (set it).
 */
export function applicationMismatch(device: LoraDevice, application: string): string | undefined {
  if (device.application === undefined || device.application === application) return undefined;
  return `device ${device.deviceId} belongs to application ${device.application}, not ${application}`;
}
