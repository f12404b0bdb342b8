import { badInput, forbidden, hasScope, notFound, Scope, type Caller, requireUuid } from '@atrium/kit';
import { checkCursor, type EntityManager, type EventRecorder, type WorkspaceSnapshot, findPage } from '@atrium/kit/subgraph';
import type { FilterQuery } from '@mikro-orm/core';
import { Location } from '../location/location.entity';
import { Workspace } from './workspace.entity';
import type { CreateWorkspaceInput, UpdateWorkspaceInput, WorkspaceFilter } from './workspace.input';


/** Escapes LIKE wildcards so user text matches literally. */
const literal = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Tags are compared case-insensitively: stored lower-case, trimmed, without duplicates. */
export const normalizeAmenities = (tags: string[] = []) => [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))].sort();

/** What consumers of workspace events (booking's read model, reporting) need to know. */
export async function workspaceSnapshot(workspace: Workspace): Promise<WorkspaceSnapshot> {
  const location = await workspace.location.loadOrFail();
  return {
    workspaceId: workspace.id,
    locationId: location.id,
    name: workspace.name,
    kind: workspace.kind,
    capacity: workspace.capacity,
    hourlyRate: workspace.hourlyRate,
    active: workspace.active,
    createdById: workspace.createdById,
    city: location.city,
    timezone: location.timezone,
  };
}

/** Catalog rules: search, and the write operations managers perform; each write records its event. */
export class WorkspaceService {
  constructor(
    private readonly em: EntityManager,
    private readonly events: EventRecorder,
  ) {}

  /** The workspaces of `ids`, in one statement (what the per-request loaders batch into). */
  byIds(ids: readonly string[]): Promise<Workspace[]> {
    return this.em.find(Workspace, { id: ids as string[] });
  }

  async get(id: string): Promise<Workspace | null> {
    requireUuid('id', id);
    return this.em.findOne(Workspace, { id });
  }

  /** Keyset-paginated search, ordered by name then id (stable across pages); `fields`: what the answer reads of each workspace (all when absent). */
  search(filter: WorkspaceFilter = {}, first: number, after: string | null | undefined, caller: Caller | null, fields?: readonly string[]) {
    if (filter.includeArchived && !hasScope(caller, Scope.CATALOG_WRITE)) {
      throw forbidden('filter.includeArchived requires the catalog:write scope');
    }
    const where: FilterQuery<Workspace> = {};
    if (!filter.includeArchived) where.active = true;
    if (filter.city) where.location = { city: { $ilike: literal(filter.city.trim()) } };
    if (filter.kind) where.kind = filter.kind;
    if (filter.minCapacity != null) where.capacity = { $gte: filter.minCapacity };
    if (filter.maxHourlyRate != null) where.hourlyRateAmount = { $lte: filter.maxHourlyRate };
    const amenities = normalizeAmenities(filter.amenities);
    if (amenities.length) where.amenities = { $contains: amenities };
    const text = filter.text?.trim();
    if (text) where.$or = [{ name: { $ilike: `%${literal(text)}%` } }, { description: { $ilike: `%${literal(text)}%` } }];
    // Read-only: a search only answers (its rows are neither changed nor loaded again in the request).
    return findPage(this.em, Workspace, where, { first, after: checkCursor(after), orderBy: { name: 'asc', id: 'asc' }, readOnly: true, fields });
  }

  async create(input: CreateWorkspaceInput, caller: Caller): Promise<Workspace> {
    const location = await this.em.findOne(Location, { id: input.locationId });
    if (!location) throw badInput('input.locationId', `no location ${input.locationId}`);
    const workspace = this.em.create(Workspace, {
      location,
      name: input.name.trim(),
      description: input.description?.trim() ?? '',
      kind: input.kind,
      capacity: input.capacity,
      hourlyRateAmount: input.hourlyRate.amount,
      hourlyRateCurrency: input.hourlyRate.currency.toUpperCase(),
      amenities: normalizeAmenities(input.amenities),
      createdById: caller.userId,
    });
    this.events.record('workspace.created', await workspaceSnapshot(workspace));
    await this.em.flush();
    return workspace;
  }

  async update(id: string, input: UpdateWorkspaceInput): Promise<Workspace> {
    const workspace = await this.getOrFail(id);
    if (input.name != null) workspace.name = input.name.trim();
    if (input.description != null) workspace.description = input.description.trim();
    if (input.kind != null) workspace.kind = input.kind;
    if (input.capacity != null) workspace.capacity = input.capacity;
    if (input.hourlyRate != null) {
      workspace.hourlyRateAmount = input.hourlyRate.amount;
      workspace.hourlyRateCurrency = input.hourlyRate.currency.toUpperCase();
    }
    if (input.amenities != null) workspace.amenities = normalizeAmenities(input.amenities);
    this.events.record('workspace.updated', await workspaceSnapshot(workspace));
    await this.em.flush();
    return workspace;
  }

  /** Archiving is idempotent: an archived workspace stays archived. */
  async archive(id: string): Promise<Workspace> {
    const workspace = await this.getOrFail(id);
    if (!workspace.active) return workspace;
    workspace.active = false;
    this.events.record('workspace.archived', await workspaceSnapshot(workspace));
    await this.em.flush();
    return workspace;
  }

  private async getOrFail(id: string): Promise<Workspace> {
    const workspace = await this.get(id);
    if (!workspace) throw notFound('Workspace', id);
    return workspace;
  }
}
