import type { Context } from '@atrium/kit/subgraph';
import { ActivityLogService } from './activity/activity-log.service';
import { DailyStatsService } from './stats/daily-stats.service';
import { HourlyStatsService } from './stats/hourly-stats.service';
import { WorkspaceStatsService } from './workspace/workspace-stats.service';

/** kit's request context plus reporting's read services, bound to the request's entity manager. */
export interface ReportingContext extends Context {
  activityLog: ActivityLogService;
  dailyStats: DailyStatsService;
  hourlyStats: HourlyStatsService;
  workspaceStats: WorkspaceStatsService;
}

/** Builds the services of one request (cheap objects: state lives in `em`). */
export function reportingContext(base: Context): ReportingContext {
  return {
    ...base,
    activityLog: new ActivityLogService(base.em),
    dailyStats: new DailyStatsService(base.em),
    hourlyStats: new HourlyStatsService(base.em),
    workspaceStats: new WorkspaceStatsService(base.em),
  };
}
