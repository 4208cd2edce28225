import { readFileSync } from 'node:fs';
import { SCENARIOS } from '../../scenarios/scenario-catalog.js';
import { routeById } from '../world/routes.js';
import { PROFILES } from '../physics/reefer.physics.js';
import { WIRE_FORMATS, type ScenarioDefinition } from './scenario.types.js';

/** A scenario name or file that does not hold water: the CLI reports it with exit code 2. */
export class ScenarioError extends Error {}

/**
 * A named scenario, or a JSON file with the same shape as the built-in ones
 * (`ScenarioDefinition`); a file's missing fields are taken from `normal-day`.
 */
export function loadScenario(nameOrFile: string): ScenarioDefinition {
  const named = SCENARIOS.find((s) => s.name === nameOrFile);
  if (named) return named;
  if (!/[./\\]/.test(nameOrFile)) {
    throw new ScenarioError(
      `unknown scenario "${nameOrFile}"; known: ${SCENARIOS.map((s) => s.name).join(', ')} (or a .json file)`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(nameOrFile, 'utf8'));
  } catch (err) {
    throw new ScenarioError(`cannot read scenario file ${nameOrFile}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ScenarioError(`${nameOrFile}: a scenario file holds one JSON object`);
  }
  const scenario = {
    ...SCENARIOS[0],
    affectedDevices: 0,
    incidents: {},
    ...(parsed as Partial<ScenarioDefinition>),
  };
  const problems = validate(scenario);
  if (problems.length > 0) throw new ScenarioError(`${nameOrFile}: ${problems.join('; ')}`);
  return scenario;
}

function validate(s: ScenarioDefinition): string[] {
  const problems: string[] = [];
  if (typeof s.name !== 'string' || !/^[a-z0-9-]{1,40}$/.test(s.name))
    problems.push('name: 1-40 of a-z, 0-9, -');
  if (typeof s.description !== 'string') problems.push('description: a string');
  if (!Array.isArray(s.expectedAlerts)) problems.push('expectedAlerts: an array');
  for (const key of ['devices', 'durationMs', 'uplinkIntervalMs', 'speedup'] as const) {
    if (typeof s[key] !== 'number' || !(s[key] > 0)) problems.push(`${key}: a positive number`);
  }
  if (!WIRE_FORMATS.includes(s.format)) problems.push(`format: one of ${WIRE_FORMATS.join(', ')}`);
  if (!(s.profile in PROFILES)) problems.push(`profile: one of ${Object.keys(PROFILES).join(', ')}`);
  if (!Array.isArray(s.routes) || s.routes.length === 0)
    problems.push('routes: a non-empty array of route ids');
  else {
    for (const id of s.routes) {
      try {
        routeById(id);
      } catch (err) {
        problems.push(`routes: ${(err as Error).message}`);
      }
    }
  }
  return problems;
}
