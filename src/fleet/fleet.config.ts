import { IsString } from 'class-validator';

/**
 * The fleet file imported at start (sites, containers, devices).
 */
export class FleetSettings {
  /** Fleet seed (sites, containers, devices) imported at start; empty to skip. */
  @IsString()
  FLEET_SEED_FILE = 'config/fleet.example.json';
}
