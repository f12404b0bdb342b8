import { Booking } from './booking/booking.entity';
import { WorkspaceReplica } from './workspace/workspace-replica.entity';

export const entities = [Booking, WorkspaceReplica];
