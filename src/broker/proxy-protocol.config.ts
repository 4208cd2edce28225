import { ConfigSlice, from } from '#src/config/config-slice.js';
import { IsAddressList } from '#src/config/address-list.validator.js';

/**
 * The load balancers whose connections to the MQTT edge open with a PROXY protocol header.
 */
export class ProxyProtocolSettings {
  /**
   * Load balancers that send the PROXY protocol (HAProxy `send-proxy-v2` or `send-proxy`):
   * comma-separated IPs and CIDR blocks. Their connections must open with a PROXY header, and the
   * client it names is the one the MQTT edge counts, bans and logs. Empty: off.
   */
  @IsAddressList()
  BROKER_PROXY_PROTOCOL_FROM = '';
}

/** What the broker's PROXY protocol acceptor reads. */
export class ProxyProtocolConfig extends ConfigSlice(from(ProxyProtocolSettings)) {}
