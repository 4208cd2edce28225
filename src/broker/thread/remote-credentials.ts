import type { CredentialChangeListener } from '../auth/device-credential.store.js';
import type { Principal } from '../auth/principal.js';
import type { FromBrokerThread, ToBrokerThread } from './broker-thread.messages.js';

type Answer = Extract<ToBrokerThread, { kind: 'verified' }>;

/**
 * The credential store as the broker thread sees it: `verify` asks the main thread, which owns
 * the store (its connections, its cache of verified credentials, the announcements of changes),
 * and revocations come back as messages that end the live sessions.
 */
export class RemoteCredentials {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (p?: Principal) => void; reject: (e: Error) => void }
  >();
  private readonly listeners: CredentialChangeListener[] = [];

  constructor(private readonly send: (message: FromBrokerThread) => void) {}

  verify(username: string, password: Buffer): Promise<Principal | undefined> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ kind: 'verify', id, username, password: new Uint8Array(password) });
    });
  }

  onChange(listener: CredentialChangeListener): void {
    this.listeners.push(listener);
  }

  receive(message: Answer | Extract<ToBrokerThread, { kind: 'credential-changed' }>): void {
    if (message.kind === 'credential-changed') {
      for (const listener of this.listeners) listener(message.username, message.change);
      return;
    }
    const waiting = this.pending.get(message.id);
    if (waiting === undefined) return;
    this.pending.delete(message.id);
    if (message.error !== undefined) waiting.reject(new Error(message.error));
    else waiting.resolve(message.principal);
  }
}
