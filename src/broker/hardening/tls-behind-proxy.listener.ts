import { TLSSocket, type SecureContext, type Server as TlsServer } from 'node:tls';
import type { GuardableSocket } from './guarded-connection.js';
import type { ProxiedConnectionListener } from './proxy-protocol.acceptor.js';
import type { ProxiedPeer } from './proxy-header.parser.js';

export interface TlsBehindProxyOptions {
  /** The TLS listener's server: handshakes of connections that came with no PROXY header. */
  server: TlsServer;
  /** The same certificate and key, for the handshakes done here. */
  secureContext: SecureContext;
  /** Time a proxied client has to finish its handshake, ms. */
  handshakeTimeoutMs: number;
  /** Where a secured socket goes: the hardened connection handler. */
  admit: (socket: GuardableSocket, peer: ProxiedPeer) => void;
  /** A failed or late handshake (counted as the server's `tlsClientError`s are). */
  onHandshakeError: () => void;
}

/**
 * MQTT over TLS behind a balancer passing TLS through (HAProxy `mode tcp`): the PROXY header comes
 * first on the TCP connection, in clear, and the TLS handshake after it, so the header is read on
 * the raw socket ({@link ProxyProtocolAcceptor}) and TLS starts on what follows. A connection with
 * no header (not from a trusted balancer) goes to the TLS server as if it had accepted it itself.
 * A proxied one is wrapped here, because the server's own sockets would not carry the client the
 * header named; the TLS socket then reads the raw socket's handle directly, as the server's do.
 */
export function tlsBehindProxy(options: TlsBehindProxyOptions): ProxiedConnectionListener {
  return (raw, peer) => {
    if (peer === undefined) {
      options.server.emit('connection', raw);
      return;
    }
    // Bytes the header's segment carried past it were put back on `raw`: TLSSocket reads them first.
    const socket = new TLSSocket(raw, { isServer: true, secureContext: options.secureContext });
    const failed = (): void => {
      clearTimeout(timer);
      options.onHandshakeError();
      socket.destroy();
    };
    const timer = setTimeout(failed, options.handshakeTimeoutMs);
    socket.once('error', failed);
    socket.once('secure', () => {
      clearTimeout(timer);
      socket.off('error', failed);
      options.admit(socket, peer);
    });
  };
}
