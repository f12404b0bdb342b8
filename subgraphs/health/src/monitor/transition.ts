export type ServiceState = 'UP' | 'DOWN' | 'UNKNOWN';

/** What one observation does to a service's recorded state. */
export interface Transition {
  /** The status changed (first observations included): history row and event. */
  changed: boolean;
  /** Open an incident (the service went DOWN, or was first seen DOWN). */
  openIncident: boolean;
  /** Resolve the open incident (the service came back UP). */
  resolveIncident: boolean;
}

/**
 * The monitor's rule, kept pure so it can be tested alone. A single failed poll is enough
 * to go DOWN (no debounce): the probe already allows HEALTH_TIMEOUT_MS, and an operator
 * would rather see a short incident than miss one. The first observation of a service
 * (UNKNOWN → X) records its status and opens an incident only when it is DOWN.
 */
export function transition(previous: ServiceState, next: 'UP' | 'DOWN', hasOpenIncident: boolean): Transition {
  return {
    changed: previous !== next,
    // Keyed on the open incident rather than on the change, so a poll that finds the service
    // still DOWN never opens a second one, and one left open (a crash between polls) heals.
    openIncident: next === 'DOWN' && !hasOpenIncident,
    resolveIncident: next === 'UP' && hasOpenIncident,
  };
}
