import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';

/**
 * The MQTT credential of convoi's own consumer on the embedded broker. A fresh random secret
 * each start, kept in memory only and never logged: nothing outside this process can use it.
 * The broker's auth hooks compare it in constant time.
 */
@Injectable()
export class PlatformCredential {
  readonly username = 'convoi-platform';
  readonly password = randomBytes(32).toString('base64url');
}
