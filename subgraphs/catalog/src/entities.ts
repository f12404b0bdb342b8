import { Location } from './location/location.entity';
import { Workspace } from './workspace/workspace.entity';

export const entities = [Location, Workspace];
