import { Status } from '../status/service-status.entity';
import { overallState } from './system-health.service';
import { SystemState } from './system-health.types';

const up = { status: Status.UP, latencyMs: 1 };
const down = { status: Status.DOWN, latencyMs: null };
const services = (...statuses: Status[]) => statuses.map((status) => ({ status }));

describe('overallState', () => {
  it('is UP when every service and dependency is', () => {
    expect(overallState(services(Status.UP, Status.UP), [up, up])).toBe(SystemState.UP);
  });

  it('is DEGRADED when some service is DOWN or not yet polled', () => {
    expect(overallState(services(Status.UP, Status.DOWN), [up, up])).toBe(SystemState.DEGRADED);
    expect(overallState(services(Status.UP, Status.UNKNOWN), [up, up])).toBe(SystemState.DEGRADED);
  });

  it('is DOWN when Postgres or Redis is, or every service is', () => {
    expect(overallState(services(Status.UP), [up, down])).toBe(SystemState.DOWN);
    expect(overallState(services(Status.DOWN, Status.DOWN), [up, up])).toBe(SystemState.DOWN);
  });
});
