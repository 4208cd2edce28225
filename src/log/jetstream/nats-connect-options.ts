import { existsSync, readFileSync } from 'node:fs';
import { credsAuthenticator, type ConnectionOptions } from '@nats-io/transport-node';
import type { LogConfig } from '../log.config.js';

/**
 * How convoi reaches NATS: the servers, and the authentication and TLS the settings name. A file
 * named by a setting must exist, checked here so that a typo fails at start with the setting's
 * name rather than as a TLS or authentication error at the first connection. The credentials
 * file is read again at every connection (rotation without a restart); the secrets never reach
 * a log, since the client is given them as options and the URL holds none.
 */
export function natsConnectOptions(config: LogConfig): ConnectionOptions {
  if (!config.NATS_URL) throw new Error('NATS_URL is not set: there is no cluster log to open');
  const options: ConnectionOptions = { servers: config.NATS_URL.split(',') };
  if (config.NATS_USER !== undefined) {
    options.user = config.NATS_USER;
    options.pass = config.NATS_PASSWORD;
  }
  if (config.NATS_TOKEN !== undefined) options.token = config.NATS_TOKEN;
  const creds = config.NATS_CREDS_FILE;
  if (creds !== undefined) {
    mustExist('NATS_CREDS_FILE', creds);
    options.authenticator = credsAuthenticator(() => readFileSync(creds));
  }
  const tls = {
    caFile: config.NATS_TLS_CA_FILE,
    certFile: config.NATS_TLS_CERT_FILE,
    keyFile: config.NATS_TLS_KEY_FILE,
  };
  if (tls.caFile !== undefined) mustExist('NATS_TLS_CA_FILE', tls.caFile);
  if (tls.certFile !== undefined) mustExist('NATS_TLS_CERT_FILE', tls.certFile);
  if (tls.keyFile !== undefined) mustExist('NATS_TLS_KEY_FILE', tls.keyFile);
  // Any TLS file set means TLS required: a server that offers none is refused, never used in clear.
  if (tls.caFile !== undefined || tls.certFile !== undefined) {
    options.tls = Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined));
  }
  return options;
}

function mustExist(setting: string, file: string): void {
  if (!existsSync(file)) throw new Error(`${setting}: no file at ${file}`);
}
