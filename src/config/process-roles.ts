import { ConfigError } from './config.error.js';
import { ConfigSlice, from } from './config-slice.js';
import { DeploymentSettings } from './deployment.config.js';

/** What a convoi process can do (`CONVOI_ROLES`). */
export type Role = 'edge' | 'processor' | 'api';

const ALL_ROLES: readonly Role[] = ['edge', 'processor', 'api'];

/** The settings that decide a process's roles and whether it runs in cluster mode. */
export class RolesConfig extends ConfigSlice(
  from(DeploymentSettings, 'CONVOI_ROLES', 'NATS_URL', 'DATABASE_URL', 'BROKER_EMBEDDED'),
) {}

/**
 * This process's roles (ARCHITECTURE.md §9), checked once at start:
 * - all three without `NATS_URL`: one node, as convoi always ran (the write-ahead inbox between
 *   broker and pipeline, every partition owned);
 * - with `NATS_URL`: cluster mode. An `edge` appends each accepted device message to the input log
 *   (JetStream) before its PUBACK; a `processor` leases partitions in PostgreSQL and reads them from
 *   the log; an `api` serves REST. So cluster mode needs `DATABASE_URL` (the leases, and the
 *   shared store the processors write and the api reads).
 * A split (any other list) without `NATS_URL` would be an edge whose messages no processor sees,
 * or a processor with nothing to read: refused, as is a repeated or unknown role, and a cluster
 * edge without the embedded broker (it is that broker).
 */
export class ProcessRoles {
  private constructor(
    private readonly roles: ReadonlySet<Role>,
    /** Whether the input log is the shared one (NATS JetStream) rather than this node's inbox. */
    readonly clustered: boolean,
  ) {}

  /** The roles of `config`; a {@link ConfigError} naming the settings when they cannot work. */
  static of(config: RolesConfig): ProcessRoles {
    const listed = config.CONVOI_ROLES.split(',').map((r) => r.trim());
    const problems: string[] = [];
    const unknown = listed.filter((r) => !(ALL_ROLES as readonly string[]).includes(r));
    if (unknown.length > 0) problems.push(`CONVOI_ROLES: unknown role ${unknown.join(', ')}`);
    if (new Set(listed).size !== listed.length) problems.push('CONVOI_ROLES: a role is listed twice');
    const roles = new Set(listed.filter((r): r is Role => (ALL_ROLES as readonly string[]).includes(r)));
    const split = roles.size < ALL_ROLES.length;
    const clustered = config.NATS_URL !== undefined;
    if (split && !clustered)
      problems.push(
        `CONVOI_ROLES=${config.CONVOI_ROLES}: a split role needs NATS_URL (the log between edges and processors)`,
      );
    if ((split || clustered) && config.DATABASE_URL === undefined)
      problems.push(
        `CONVOI_ROLES=${config.CONVOI_ROLES}${clustered ? ' with NATS_URL' : ''}: cluster mode needs DATABASE_URL (partition leases and the shared store)`,
      );
    if (clustered && roles.has('edge') && !config.BROKER_EMBEDDED)
      problems.push(
        'BROKER_EMBEDDED=false: a cluster edge is the embedded broker (drop edge from CONVOI_ROLES, or embed it)',
      );
    if (problems.length > 0) throw new ConfigError(problems);
    return new ProcessRoles(roles, clustered);
  }

  /** One node with every role and no shared log (the default). */
  static singleNode(): ProcessRoles {
    return new ProcessRoles(new Set(ALL_ROLES), false);
  }

  has(role: Role): boolean {
    return this.roles.has(role);
  }

  /** An edge appending to the shared log instead of this node's inbox. */
  get logEdge(): boolean {
    return this.clustered && this.has('edge');
  }

  /** A processor reading its leased partitions from the shared log instead of this node's inbox. */
  get logProcessor(): boolean {
    return this.clustered && this.has('processor');
  }

  /** Whether this node's own inbox carries the broker's messages to the pipeline (one node). */
  get inbox(): boolean {
    return !this.clustered;
  }

  /** For the start log line. */
  toString(): string {
    return ALL_ROLES.filter((r) => this.roles.has(r)).join(',');
  }
}
