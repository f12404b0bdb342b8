import type { Context } from '@atrium/kit/subgraph';
import { LocationService } from './location/location.service';
import { WorkspaceService } from './workspace/workspace.service';

/** kit's request context plus catalog's services, bound to the request's entity manager. */
export interface CatalogContext extends Context {
  locations: LocationService;
  workspaces: WorkspaceService;
}

/** Builds the services of one request (cheap objects: state lives in `em`). */
export function catalogContext(base: Context): CatalogContext {
  return { ...base, locations: new LocationService(base.em, base.events), workspaces: new WorkspaceService(base.em, base.events) };
}
