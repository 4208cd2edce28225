import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throw-away CA and a server certificate it signed for 127.0.0.1 / localhost, as PEM files. */
export interface TestCertificates {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** A client certificate the CA signed (CN `convoi`), for servers that verify clients. */
  clientCertFile: string;
  clientKeyFile: string;
  /** The CA certificate, for clients that must trust the server (`ca` option). */
  ca: Buffer;
  /** Removes the folder (keys included). */
  remove(): void;
}

/**
 * Generates the certificates with the `openssl` CLI into a fresh temp dir: a self-signed CA
 * (EC P-256, one day), a server certificate signed by it whose SAN names `IP:127.0.0.1` and
 * `DNS:localhost`, because clients check the SAN, not the CN (RFC 6125 §6.4.4), and a client
 * certificate signed by it.
 */
export function createTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'convoi-tls-'));
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ecKey = (file: string) =>
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path(file));

  ecKey('ca.key');
  openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    path('ca.key'),
    '-sha256',
    '-days',
    '1',
    '-subj',
    '/CN=convoi test CA',
    '-out',
    path('ca.crt'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  const signed = (name: string, subject: string, extensions: string[]) => {
    ecKey(`${name}.key`);
    openssl('req', '-new', '-key', path(`${name}.key`), '-subj', subject, '-out', path(`${name}.csr`));
    writeFileSync(path(`${name}.ext`), extensions.join('\n'));
    openssl(
      'x509',
      '-req',
      '-in',
      path(`${name}.csr`),
      '-CA',
      path('ca.crt'),
      '-CAkey',
      path('ca.key'),
      '-CAcreateserial',
      '-days',
      '1',
      '-sha256',
      '-extfile',
      path(`${name}.ext`),
      '-out',
      path(`${name}.crt`),
    );
  };
  const leaf = ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature'];
  signed('server', '/CN=127.0.0.1', [
    ...leaf,
    'extendedKeyUsage=serverAuth',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  signed('client', '/CN=convoi', [...leaf, 'extendedKeyUsage=clientAuth']);
  return {
    dir,
    caFile: path('ca.crt'),
    certFile: path('server.crt'),
    keyFile: path('server.key'),
    clientCertFile: path('client.crt'),
    clientKeyFile: path('client.key'),
    ca: readFileSync(path('ca.crt')),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
