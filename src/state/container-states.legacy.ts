import type { Database } from 'better-sqlite3';
import type { RuleState } from './rule-state.js';
import { liveValuesAt, type LiveValues } from './live-values.js';

/** What the tables of earlier versions held, to carry over into the state tables once. */
export interface LegacyStates {
  live: LiveValues[];
  /** Rule states by container, `{ ruleId: state }`. */
  rules: Map<string, Record<string, RuleState>>;
  /** Journey rows by container, as the journeys feature wrote them. */
  journeys: Map<string, string>;
}

/**
 * Reads the state tables of versions before the container-state aggregate: live state pages of
 * 1,024 containers (`container_state_pages`) or JSON rows (`container_state`), `rule_state`
 * and `journey_state`. They stay (their features' migrations made them) but are emptied once
 * carried over, so this reads them once.
 */
export function readLegacyStates(db: Database): LegacyStates {
  const has = (name: string) =>
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
  const out: LegacyStates = { live: [], rules: new Map(), journeys: new Map() };
  if (has('container_state_pages')) {
    const pages = db
      .prepare<[], { numbers: Buffer; present: Buffer; ids: string }>(
        'SELECT numbers, present, ids FROM container_state_pages ORDER BY page',
      )
      .all();
    for (const row of pages) {
      const ids = JSON.parse(row.ids) as {
        keys: string[];
        containers: (string | null)[];
        devices: string[];
        shipments: (string | null)[];
      };
      const numbers = new Float64Array(new Uint8Array(row.numbers).buffer);
      const stride = 2 + 2 * ids.keys.length;
      for (let i = 0; i < ids.containers.length; i++) {
        const id = ids.containers[i];
        if (id === null) continue;
        const shipment = ids.shipments[i] ?? undefined;
        out.live.push(
          liveValuesAt(ids.keys, numbers, i * stride, row.present[i], id, ids.devices[i] ?? '', shipment),
        );
      }
    }
  }
  if (has('container_state'))
    for (const json of db.prepare<[], string>('SELECT state FROM container_state').pluck().all())
      out.live.push(JSON.parse(json) as LiveValues);
  if (has('rule_state')) {
    const rows = db
      .prepare<[], { container_id: string; rule_id: string; state: string }>(
        'SELECT container_id, rule_id, state FROM rule_state',
      )
      .all();
    for (const row of rows) {
      let states = out.rules.get(row.container_id);
      if (states === undefined) out.rules.set(row.container_id, (states = {}));
      states[row.rule_id] = JSON.parse(row.state) as RuleState;
    }
  }
  if (has('journey_state'))
    for (const row of db
      .prepare<[], { container_id: string; state: string }>('SELECT container_id, state FROM journey_state')
      .all())
      out.journeys.set(row.container_id, row.state);
  return out;
}

/** Empties the earlier tables once their states are written into the state tables. */
export function clearLegacyStates(db: Database): void {
  for (const name of ['container_state_pages', 'container_state', 'rule_state', 'journey_state'])
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined)
      db.exec(`DELETE FROM ${name}`);
}
