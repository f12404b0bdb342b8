import { ProbeSample } from './history/probe-sample.entity';
import { Incident } from './incident/incident.entity';
import { ServiceStatus, StatusChange } from './status/service-status.entity';

export const entities = [ServiceStatus, StatusChange, Incident, ProbeSample];
