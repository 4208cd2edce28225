#!/usr/bin/env node
// `npm run migrate-store -- [--replace] [--batch-size N]`: moves a stopped SQLite deployment into
// the PostgreSQL at DATABASE_URL (README, "Moving from SQLite to PostgreSQL"). Compiles first when
// dist/ is missing or stale, then runs the compiled command.
import { buildIfNeeded, root } from './build-if-needed.mjs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const cli = 'dist/src/migrate-store/migrate-store.cli.js';
buildIfNeeded([cli], 'migrate-store');
await import(pathToFileURL(join(root, cli)).href);
