import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { DomainError } from '#src/common/domain-error.js';
import { FleetSeedDto, SEED_MAX_ENTRIES } from './dto/fleet-seed.dto.js';
import type { FleetImport } from './fleet-import.repository.js';

/**
 * Containers of a fleet description validated at a time. The repository writes a page while the
 * next is validated: on PostgreSQL its statements run in another process meanwhile (150,000
 * containers take PostgreSQL ~1.5 s of CPU, their validation convoi ~2.7 s; the main thread then
 * waits ~0.9 s for it instead of 4–7 s on a loaded machine). A page is one statement of ~1.5 MB of
 * JSON: smaller pages would start PostgreSQL sooner, each for the cost of a statement.
 */
export const SEED_PAGE_CONTAINERS = 10_000;

/** The top-level fields of a fleet description, in the order the DTO validates them. */
const FIELDS = ['sites', 'containers', 'devices'] as const;
type Field = (typeof FIELDS)[number];

/**
 * A fleet description validated a page at a time as it is iterated, in foreign-key order: the
 * sites with the first containers, the other containers {@link SEED_PAGE_CONTAINERS} at a time,
 * the devices last. A page is yielded only while every page before it was valid; once the last is
 * validated, any error of any page throws one DomainError listing them all, worded and ordered as
 * the validation of the whole description would, so the caller's transaction writes nothing.
 * A description that is not three arrays within their bounds is validated whole (one page).
 */
export class FleetSeedPages implements Iterable<FleetImport> {
  /** What the pages validated so far hold: the caller's summary, refresh and announcement. */
  sites = 0;
  readonly containerIds: string[] = [];
  readonly deviceIds: string[] = [];

  constructor(private readonly raw: unknown) {}

  /** Validates every page of `raw` (throws what iterating them would), writing nothing. */
  static validate(raw: unknown): void {
    Array.from(new FleetSeedPages(raw));
  }

  *[Symbol.iterator](): Generator<FleetImport> {
    const errors: ValidationError[] = [];
    let pages = 0;
    for (const { page, containersAt } of split(this.raw)) {
      pages += 1;
      const seed = plainToInstance(FleetSeedDto, page);
      const found = validateSync(seed, { whitelist: true, forbidNonWhitelisted: true });
      for (const e of found)
        // The page's containers are numbered from 0: renumber them as the whole array has them.
        if (e.property === 'containers')
          for (const entry of e.children ?? [])
            entry.property = String(Number(entry.property) + containersAt);
      errors.push(...found);
      if (errors.length > 0) continue;
      this.sites += seed.sites.length;
      for (const c of seed.containers) this.containerIds.push(c.id);
      for (const d of seed.devices) this.deviceIds.push(d.id);
      yield {
        sites: seed.sites.map((site) => ({ ...site, geofence: toGeofence(site.geofence) })),
        containers: seed.containers,
        devices: seed.devices,
      };
    }
    if (errors.length === 0) return;
    // Pages hold only the three fields: their errors in the DTO's order of fields (a stable sort
    // keeps each field's entries in the order of the pages), as one validation would list them.
    if (pages > 1)
      errors.sort((a, b) => FIELDS.indexOf(a.property as Field) - FIELDS.indexOf(b.property as Field));
    throw new DomainError(
      'invalid',
      'fleet.seed-invalid',
      `fleet seed is invalid: ${flatten(errors).join('; ')}`,
    );
  }
}

/** The pages of `raw`, each with the index in `raw.containers` of its first container. */
function* split(raw: unknown): Generator<{ page: unknown; containersAt: number }> {
  const seed = raw as Partial<Record<Field, unknown>>;
  const pageable =
    typeof raw === 'object' &&
    raw !== null &&
    Object.keys(raw).every((k) => (FIELDS as readonly string[]).includes(k)) &&
    FIELDS.every(
      (f) => seed[f] === undefined || (Array.isArray(seed[f]) && seed[f].length <= SEED_MAX_ENTRIES[f]),
    );
  const containers = pageable ? ((seed.containers ?? []) as unknown[]) : [];
  if (!pageable || containers.length <= SEED_PAGE_CONTAINERS) {
    yield { page: raw, containersAt: 0 };
    return;
  }
  for (let at = 0; at < containers.length; at += SEED_PAGE_CONTAINERS)
    yield {
      page: {
        ...(at === 0 && seed.sites !== undefined && { sites: seed.sites }),
        containers: containers.slice(at, at + SEED_PAGE_CONTAINERS),
      },
      containersAt: at,
    };
  if (seed.devices !== undefined) yield { page: { devices: seed.devices }, containersAt: 0 };
}

function toGeofence(g: { type: 'circle' | 'polygon'; radiusM?: number; coordinates?: number[][][] }) {
  return g.type === 'circle'
    ? { type: 'circle' as const, radiusM: g.radiusM ?? 200 }
    : { type: 'polygon' as const, coordinates: g.coordinates ?? [] };
}

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => `${path}: ${m}`);
    return [...own, ...flatten(e.children ?? [], path)];
  });
}
