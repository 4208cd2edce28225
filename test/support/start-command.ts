import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PACKAGE_JSON = fileURLToPath(new URL('../../../package.json', import.meta.url));

/**
 * The Node flags `npm start` runs convoi with (its `start` script, `node <flags> dist/src/main.js`):
 * harnesses that start convoi in a child process use the same, so a tuning flag added there (the
 * young generation's size) is what the tests and the bench run too.
 */
export function startNodeFlags(): string[] {
  const start = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { scripts: { start: string } }).scripts
    .start;
  const match = /\bnode ((?:--\S+ )*)dist\/src\/main\.js/.exec(start);
  if (!match) throw new Error(`package.json start script does not run node … dist/src/main.js: ${start}`);
  return match[1].split(' ').filter(Boolean);
}
