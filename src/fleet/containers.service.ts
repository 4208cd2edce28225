import { Injectable } from '@nestjs/common';
import { DomainError } from '#src/common/domain-error.js';
import { FleetRepository } from './fleet.repository.js';
import type { Container, ContainerLiveState } from './fleet.types.js';
import { LiveStateService } from './live-state.service.js';

/** A container as planners read it: its registry entry with its live state embedded. */
export interface ContainerView extends Container {
  live: ContainerLiveState | null;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; absent on the last page. */
  nextCursor?: string;
}

/** Read model of containers. */
@Injectable()
export class ContainersService {
  constructor(
    private readonly repository: FleetRepository,
    private readonly liveState: LiveStateService,
  ) {}

  list(cursor: string | undefined, limit: number): Page<ContainerView> {
    const afterId = cursor === undefined ? undefined : decodeCursor(cursor);
    const rows = this.repository.listContainers(afterId, limit + 1);
    const items = rows.slice(0, limit).map((c) => this.view(c));
    return rows.length > limit ? { items, nextCursor: encodeCursor(items[items.length - 1].id) } : { items };
  }

  get(id: string): ContainerView {
    return this.view(this.require(id));
  }

  /** The container, or a not-found error. */
  require(id: string): Container {
    const container = this.repository.findContainer(id);
    if (!container)
      throw new DomainError('not-found', 'fleet.container-not-found', `container ${id} does not exist`);
    return container;
  }

  private view(container: Container): ContainerView {
    return { ...container, live: this.liveState.get(container.id) ?? null };
  }
}

/** Cursors are opaque to clients: base64url of the last id seen. */
export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (encodeCursor(id) !== cursor)
    throw new DomainError('invalid', 'common.bad-cursor', 'cursor is not valid');
  return id;
}
