import { config as parseDotenv } from 'dotenv';

/**
 * The process environment merged over an optional `.env` file (real variables win).
 * The only place in convoi that reads `process.env`.
 */
export function readEnvironment(dotenvPath = '.env'): Record<string, string | undefined> {
  const fromFile: Record<string, string> = {};
  parseDotenv({ path: dotenvPath, processEnv: fromFile, quiet: true });
  return { ...fromFile, ...process.env };
}
