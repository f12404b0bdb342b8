import { transition } from './transition';

describe('transition', () => {
  it('records a first UP observation as a change without an incident', () => {
    expect(transition('UNKNOWN', 'UP', false)).toEqual({ changed: true, openIncident: false, resolveIncident: false });
  });

  it('opens an incident when a service is first seen DOWN', () => {
    expect(transition('UNKNOWN', 'DOWN', false)).toEqual({ changed: true, openIncident: true, resolveIncident: false });
  });

  it('opens an incident when an UP service goes DOWN', () => {
    expect(transition('UP', 'DOWN', false)).toEqual({ changed: true, openIncident: true, resolveIncident: false });
  });

  it('resolves the open incident when a DOWN service comes back UP', () => {
    expect(transition('DOWN', 'UP', true)).toEqual({ changed: true, openIncident: false, resolveIncident: true });
  });

  it('changes nothing while a service stays UP or stays DOWN with its incident open', () => {
    expect(transition('UP', 'UP', false)).toEqual({ changed: false, openIncident: false, resolveIncident: false });
    expect(transition('DOWN', 'DOWN', true)).toEqual({ changed: false, openIncident: false, resolveIncident: false });
  });

  it('never opens a second incident, and reopens one that went missing while DOWN', () => {
    expect(transition('UP', 'DOWN', true).openIncident).toBe(false);
    expect(transition('DOWN', 'DOWN', false)).toEqual({ changed: false, openIncident: true, resolveIncident: false });
  });
});
