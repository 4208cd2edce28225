import { Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { FleetRepository } from './fleet.repository.js';
import { containerValues, deviceValues, siteValues, type FleetTables } from './fleet.tables.js';
import type { Container, Device, Site } from './fleet.types.js';

/**
 * Values bound in one statement at most: SQLite refuses more than 32,766, PostgreSQL's protocol
 * 65,535. A multi-row INSERT takes as many rows as fit (~4,000 containers): 150,000 containers
 * are ~40 statements, not 150,000 round trips to PostgreSQL.
 */
const MAX_PARAMETERS = 30_000;

/** A device of a fleet description, with the container it should be on (if any). */
export type ImportedDevice = Device & { containerId?: string };

/** What a fleet import writes, in foreign-key order. */
export interface FleetImport {
  sites: readonly Site[];
  containers: readonly Container[];
  devices: readonly ImportedDevice[];
}

type Executor = Kysely<FleetTables>;

/**
 * The SQL of a fleet import, on either store: every entry upserted by multi-row statements, in
 * one transaction (all or nothing).
 */
@Injectable()
export class FleetImportRepository {
  constructor(private readonly fleet: FleetRepository) {}

  /**
   * Upserts the sites, containers and devices (an entry named twice is written as its last
   * occurrence) and rebinds each device whose open binding is not on its container. Returns the
   * bindings opened.
   */
  async write(fleet: FleetImport, nowMs: number): Promise<number> {
    const sites = lastById(fleet.sites).map((s) => siteValues(s, nowMs));
    const containers = lastById(fleet.containers).map((c) => containerValues(c, nowMs));
    const devices = lastById(fleet.devices);
    const result = await this.fleet.db.transaction().execute(async (trx) => {
      for (const rows of chunks(sites)) await upsert(trx, 'sites', rows);
      for (const rows of chunks(containers)) await upsert(trx, 'containers', rows);
      for (const rows of chunks(devices.map((d) => deviceValues(d, nowMs))))
        await upsert(trx, 'devices', rows);
      let opened = 0;
      for (const page of chunks(devices.filter((d) => d.containerId !== undefined)))
        opened += await rebind(trx, page, nowMs);
      return opened;
    });
    this.fleet.forgetContainers();
    return result;
  }
}

type Upserted = 'sites' | 'containers' | 'devices';

/**
 * INSERT … ON CONFLICT (id) DO UPDATE of every column but id and created_at, only where a value
 * differs: an entry imported again unchanged keeps its row as it was (updated_at too), so a seed
 * file read at every start changes nothing.
 */
async function upsert<T extends Upserted>(trx: Executor, table: T, rows: FleetTables[T][]): Promise<void> {
  const columns = Object.keys(rows[0]).filter((c) => c !== 'id' && c !== 'created_at');
  const compared = columns.filter((c) => c !== 'updated_at');
  // Kysely cannot type columns chosen at run time: the names come from the rows' own keys.
  const excluded = (c: string) => `excluded.${c}` as never;
  await trx
    .insertInto(table)
    .values(rows as never)
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => Object.fromEntries(columns.map((c) => [c, eb.ref(excluded(c))])) as never)
        .where((eb) =>
          eb.or(compared.map((c) => eb(`${table}.${c}` as never, 'is distinct from', eb.ref(excluded(c))))),
        ),
    )
    .execute();
}

/**
 * Opens a binding of each device in `page` whose open binding is elsewhere (closing that one at
 * `nowMs`). A device's first binding holds from the start of time, so the history it buffered
 * before being registered is still attributed to its container.
 */
async function rebind(trx: Executor, page: readonly ImportedDevice[], nowMs: number): Promise<number> {
  const known = await trx
    .selectFrom('device_bindings')
    .select(['device_id', 'container_id', 'unbound_at'])
    .where(
      'device_id',
      'in',
      page.map((d) => d.id),
    )
    .execute();
  const open = new Map<string, string>();
  const bound = new Set<string>();
  for (const b of known) {
    bound.add(b.device_id);
    if (b.unbound_at === null) open.set(b.device_id, b.container_id);
  }
  const moved = page.filter((d) => open.get(d.id) !== d.containerId);
  if (moved.length === 0) return 0;
  const closing = moved.filter((d) => open.has(d.id)).map((d) => d.id);
  if (closing.length > 0)
    await trx
      .updateTable('device_bindings')
      .set({ unbound_at: nowMs })
      .where('device_id', 'in', closing)
      .where('unbound_at', 'is', null)
      .execute();
  await trx
    .insertInto('device_bindings')
    .values(
      moved.map((d) => ({
        device_id: d.id,
        container_id: d.containerId!,
        bound_at: bound.has(d.id) ? nowMs : 0,
      })),
    )
    .execute();
  return moved.length;
}

/** The entries by id, each as its last occurrence (at its first occurrence's place). */
function lastById<T extends { id: string }>(entries: readonly T[]): T[] {
  return [...new Map(entries.map((e) => [e.id, e])).values()];
}

/** `rows` in slices whose values fit one statement. */
function* chunks<T extends object>(rows: readonly T[]): Generator<T[]> {
  if (rows.length === 0) return;
  const size = Math.max(1, Math.floor(MAX_PARAMETERS / Object.keys(rows[0]).length));
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}
