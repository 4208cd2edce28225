import { BlockList, isIP } from 'node:net';

/**
 * A set of IP addresses and CIDR blocks (BROKER_BAN_EXEMPT, BROKER_PROXY_PROTOCOL_FROM) asked
 * about socket addresses: an IPv4 client of a dual-stack listener reads `::ffff:a.b.c.d`, and
 * matches the IPv4 entries.
 */
export class AddressSet {
  private readonly list = new BlockList();
  readonly isEmpty: boolean;

  /** `entries` as `parseAddressList` gives them, already validated by the configuration. */
  constructor(entries: readonly string[]) {
    this.isEmpty = entries.length === 0;
    for (const entry of entries) {
      const [address, prefix] = entry.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number(prefix), family);
    }
  }

  has(address: string): boolean {
    if (this.isEmpty) return false;
    const v4 = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    const family = isIP(v4);
    return family !== 0 && this.list.check(v4, family === 6 ? 'ipv6' : 'ipv4');
  }
}
