/**
 * The MQTT shared subscription of `filter` in group `group`: `$share/{ShareName}/{filter}`
 * [MQTT-4.8.2]. The broker hands each matching message to one subscriber of the group, so
 * several consumers share the messages instead of each receiving all of them.
 */
export function sharedFilter(group: string, filter: string): string {
  return `$share/${group}/${filter}`;
}
