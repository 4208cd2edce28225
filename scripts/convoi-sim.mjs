#!/usr/bin/env node
// convoi-sim from a checkout (`npm run sim -- …`, `npx convoi-sim …`): compiles first when dist/ is
// missing or stale, then runs the compiled CLI. The `bin` entry points here, to a file that
// exists in every clone: npx links a package's bins once into its cache, and skips one whose
// target is missing, so a bin pointing into dist/ stays "not found" even after a build.
import { buildIfNeeded, root } from './build-if-needed.mjs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const cli = 'dist/sensors-sim/src/cli.js';
buildIfNeeded([cli], 'convoi-sim');
await import(pathToFileURL(join(root, cli)).href);
