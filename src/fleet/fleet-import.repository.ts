import { Injectable } from '@nestjs/common';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { sql, type InsertQueryBuilder, type InsertResult, type Kysely } from 'kysely';
import { FleetRepository } from './fleet.repository.js';
import { containerValues, deviceValues, siteValues, type FleetTables } from './fleet.tables.js';
import type { Container, Device, Site } from './fleet.types.js';

/**
 * SQLite: values bound in one statement at most (it refuses more than 32,766). A multi-row INSERT
 * takes as many rows as fit (~4,000 containers): 150,000 containers are ~40 statements.
 */
const MAX_PARAMETERS = 30_000;

/**
 * PostgreSQL: rows one statement carries as its JSON parameter (~3 MB of containers): 150,000
 * containers are 8 statements, and no single string grows with the import.
 */
const ROWS_PER_JSON_STATEMENT = 20_000;

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
 * one transaction (all or nothing). The statements are the same on both; only where their rows
 * come from differs ({@link insertRows}).
 */
@Injectable()
export class FleetImportRepository {
  constructor(private readonly fleet: FleetRepository) {}

  /**
   * Upserts the sites, containers and devices of each page (an entry named twice in a page is
   * written as its last occurrence) and rebinds each device whose open binding is not on its
   * container. Returns the bindings opened. A page is taken from `pages` (which may validate it
   * then, and throw: nothing is written) while the one before is being written.
   */
  async write(pages: Iterable<FleetImport>, nowMs: number): Promise<number> {
    const json = this.fleet.dialect === 'postgres';
    const written: string[] = [];
    const result = await this.fleet.db.transaction().execute(async (trx) => {
      let opened = 0;
      let writing: Promise<number> | undefined;
      const next = pages[Symbol.iterator]();
      for (;;) {
        let page: IteratorResult<FleetImport>;
        try {
          page = next.next();
        } catch (error) {
          await writing?.catch(() => undefined);
          throw error;
        }
        opened += (await writing) ?? 0;
        if (page.done === true) return opened;
        for (const c of page.value.containers) written.push(c.id);
        writing = writePage(trx, page.value, nowMs, json);
        // Handled here, thrown when awaited: it may fail before the loop comes back to it.
        writing.catch(() => undefined);
        // Its first statement leaves now, before the main thread takes the next page.
        await nextTurn();
      }
    });
    this.fleet.forgetImported(written);
    return result;
  }
}

/** One page of an import, in foreign-key order; returns the bindings opened. */
async function writePage(trx: Executor, page: FleetImport, nowMs: number, json: boolean): Promise<number> {
  const sites = lastById(page.sites).map((s) => siteValues(s, nowMs));
  const containers = lastById(page.containers).map((c) => containerValues(c, nowMs));
  const devices = lastById(page.devices);
  for (const rows of chunks(sites, json)) await upsert(trx, 'sites', rows, json);
  for (const rows of chunks(containers, json)) await upsert(trx, 'containers', rows, json);
  for (const rows of chunks(
    devices.map((d) => deviceValues(d, nowMs)),
    json,
  ))
    await upsert(trx, 'devices', rows, json);
  let opened = 0;
  for (const rows of chunks(devices.filter((d) => d.containerId !== undefined)))
    opened += await rebind(trx, rows, nowMs, json);
  return opened;
}

type Upserted = 'sites' | 'containers' | 'devices';
type Inserted = Upserted | 'device_bindings';

/**
 * INSERT of `rows` into `table`, with their values where the store reads them best. SQLite: a
 * multi-row VALUES, each value a bound parameter. PostgreSQL (`json`): one parameter, the rows as
 * JSON, read by `json_populate_recordset(NULL::table, …)`, which types each column as the table
 * declares it. For 150,000 containers the VALUES lists cost convoi 0.64–0.86 s of CPU (Kysely
 * building 30,000 placeholders a statement, pg encoding each value) and PostgreSQL 1.8 s (parsing
 * and planning 4,000-row lists), against 0.18–0.41 s and 1.5–1.6 s this way. Not `unnest` of one
 * array a column as the state tables do: pg encodes 150,000 × 7 array elements in ~750 ms on the
 * main thread, JSON.stringify the same rows in ~140 ms (PostgreSQL reads the arrays ~200 ms faster).
 */
function insertRows<T extends Inserted>(
  trx: Executor,
  table: T,
  rows: readonly object[],
  json: boolean,
): InsertQueryBuilder<FleetTables, T, InsertResult> {
  const insert = trx.insertInto(table);
  if (!json) return insert.values(rows as never);
  // Kysely cannot type columns chosen at run time: the names come from the rows' own keys.
  const columns = Object.keys(rows[0]) as never[];
  return insert
    .columns(columns)
    .expression((eb) =>
      eb
        .selectFrom(
          sql`json_populate_recordset(NULL::${sql.table(table)}, ${JSON.stringify(rows)}::json)`.as('r'),
        )
        .select(columns),
    );
}

/**
 * INSERT … ON CONFLICT (id) DO UPDATE of every column but id and created_at, only where a value
 * differs: an entry imported again unchanged keeps its row as it was (updated_at too), so a seed
 * file read at every start changes nothing.
 */
async function upsert<T extends Upserted>(
  trx: Executor,
  table: T,
  rows: FleetTables[T][],
  json: boolean,
): Promise<void> {
  const columns = Object.keys(rows[0]).filter((c) => c !== 'id' && c !== 'created_at');
  const compared = columns.filter((c) => c !== 'updated_at');
  const excluded = (c: string) => `excluded.${c}` as never;
  await insertRows(trx, table, rows, json)
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
async function rebind(
  trx: Executor,
  page: readonly ImportedDevice[],
  nowMs: number,
  json: boolean,
): Promise<number> {
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
  const opened = moved.map((d) => ({
    device_id: d.id,
    container_id: d.containerId!,
    bound_at: bound.has(d.id) ? nowMs : 0,
  }));
  await insertRows(trx, 'device_bindings', opened, json).execute();
  return moved.length;
}

/** The entries by id, each as its last occurrence (at its first occurrence's place). */
function lastById<T extends { id: string }>(entries: readonly T[]): T[] {
  return [...new Map(entries.map((e) => [e.id, e])).values()];
}

/** `rows` in slices that fit one statement (`json`: one of PostgreSQL's). */
function* chunks<T extends object>(rows: readonly T[], json = false): Generator<T[]> {
  if (rows.length === 0) return;
  const size = json
    ? ROWS_PER_JSON_STATEMENT
    : Math.max(1, Math.floor(MAX_PARAMETERS / Object.keys(rows[0]).length));
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}
