import type { EntityManager, EventRecorder } from '@atrium/kit/subgraph';
import { Location } from './location.entity';
import type { CreateLocationInput } from './location.input';

/** Locations: listed and loaded by key for everyone, created by managers with their event. */
export class LocationService {
  constructor(
    private readonly em: EntityManager,
    private readonly events: EventRecorder,
  ) {}

  /** Every location, by city then name. */
  list(): Promise<Location[]> {
    return this.em.find(Location, {}, { orderBy: { city: 'asc', name: 'asc' } });
  }

  /** The locations of `ids`, in one statement (what the per-request loaders batch into). */
  byIds(ids: readonly string[]): Promise<Location[]> {
    return this.em.find(Location, { id: ids as string[] });
  }

  /** Creates a location, trimmed, and records `location.created` in the same flush. */
  async create(input: CreateLocationInput): Promise<Location> {
    const location = this.em.create(Location, { ...input, city: input.city.trim(), name: input.name.trim() });
    this.events.record('location.created', { locationId: location.id, name: location.name, city: location.city, timezone: location.timezone });
    await this.em.flush();
    return location;
  }
}
