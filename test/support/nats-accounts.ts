import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAccount, createOperator, createUser, type KeyPair } from '@nats-io/nkeys';

/** What a server in operator mode needs, and a user's credentials file, as written to `dir`. */
export interface NatsAccounts {
  /** The server's configuration (operator, system account, accounts preloaded in memory). */
  serverConfigFile: string;
  /** A `.creds` file of a user of the `convoi` account, as `nsc generate creds` writes one. */
  credsFile: string;
}

/**
 * NATS decentralised authentication without `nsc`: an operator, a system account and a `convoi`
 * account (JetStream unlimited) whose user's JWT and seed go in a credentials file. The JWTs
 * are signed with the nkeys of their issuers (ed25519), as nats-server checks them. The `jti`
 * is an id of the claims; the server does not recompute it.
 */
export function createNatsAccounts(dir: string): NatsAccounts {
  const operator = createOperator();
  const system = createAccount();
  const account = createAccount();
  const user = createUser();
  const unlimited = { subs: -1, data: -1, payload: -1 };
  const accountLimits = { ...unlimited, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 };
  const jetstream = { mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 };

  const operatorJwt = sign(operator, operator.getPublicKey(), 'operator', {
    type: 'operator',
    system_account: system.getPublicKey(),
  });
  const systemJwt = sign(operator, system.getPublicKey(), 'SYS', { type: 'account', limits: accountLimits });
  const accountJwt = sign(operator, account.getPublicKey(), 'convoi', {
    type: 'account',
    limits: { ...accountLimits, ...jetstream },
  });
  const userJwt = sign(account, user.getPublicKey(), 'convoi', {
    type: 'user',
    pub: {},
    sub: {},
    ...unlimited,
  });

  const serverConfigFile = join(dir, 'operator.conf');
  writeFileSync(
    serverConfigFile,
    [
      `operator: ${operatorJwt}`,
      `system_account: ${system.getPublicKey()}`,
      'resolver: MEMORY',
      'resolver_preload: {',
      `  ${system.getPublicKey()}: ${systemJwt}`,
      `  ${account.getPublicKey()}: ${accountJwt}`,
      '}',
      '',
    ].join('\n'),
  );
  const credsFile = join(dir, 'convoi.creds');
  const seed = new TextDecoder().decode(user.getSeed());
  writeFileSync(
    credsFile,
    [
      '-----BEGIN NATS USER JWT-----',
      userJwt,
      '------END NATS USER JWT------',
      '',
      '-----BEGIN USER NKEY SEED-----',
      seed,
      '------END USER NKEY SEED------',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return { serverConfigFile, credsFile };
}

function sign(issuer: KeyPair, subject: string, name: string, nats: Record<string, unknown>): string {
  const claims = {
    jti: '',
    iat: Math.floor(Date.now() / 1000),
    iss: issuer.getPublicKey(),
    name,
    sub: subject,
    nats: { ...nats, version: 2 },
  };
  claims.jti = createHash('sha256').update(JSON.stringify(claims)).digest('hex').slice(0, 52).toUpperCase();
  const signed = `${base64url({ typ: 'JWT', alg: 'ed25519-nkey' })}.${base64url(claims)}`;
  return `${signed}.${Buffer.from(issuer.sign(Buffer.from(signed))).toString('base64url')}`;
}

const base64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
