import { actionOutcomeOf, methodLabel, routeLabel, rungLatenessSeconds, UNMATCHED_ROUTE } from './labels';

describe('routeLabel', () => {
  it('is the template the router matched, never the URL with its ids', () => {
    expect(routeLabel({ route: { path: '/tickets/:id/accept' } })).toBe('/tickets/:id/accept');
    expect(routeLabel({ baseUrl: '', route: { path: '/tickets' } })).toBe('/tickets');
  });

  it('prefixes the mount point of a sub-router and tidies slashes', () => {
    expect(routeLabel({ baseUrl: '/api', route: { path: '/tickets/:id' } })).toBe('/api/tickets/:id');
    expect(routeLabel({ baseUrl: '/api/', route: { path: '/tickets/' } })).toBe('/api/tickets');
    expect(routeLabel({ route: { path: '/' } })).toBe('/');
    expect(routeLabel({ route: { path: 'health' } })).toBe('/health');
  });

  it('folds requests no route matched (unknown paths, static files) into one value', () => {
    expect(routeLabel({})).toBe(UNMATCHED_ROUTE);
    expect(routeLabel({ route: null })).toBe(UNMATCHED_ROUTE);
    expect(routeLabel({ route: { path: /regex/ } })).toBe(UNMATCHED_ROUTE);
    // Nest answers unknown paths from a root catch-all route.
    expect(routeLabel({ route: { path: '/{*path}' } })).toBe(UNMATCHED_ROUTE);
    expect(routeLabel({ route: { path: '*path' } })).toBe(UNMATCHED_ROUTE);
    expect(routeLabel({ route: { path: '/*' } })).toBe(UNMATCHED_ROUTE);
    // A wildcard under a real prefix is a template like any other.
    expect(routeLabel({ route: { path: '/dashboard/{*asset}' } })).toBe('/dashboard/{*asset}');
  });
});

describe('methodLabel', () => {
  it('upper-cases known methods and folds the rest', () => {
    expect(methodLabel('get')).toBe('GET');
    expect(methodLabel('POST')).toBe('POST');
    expect(methodLabel('PROPFIND')).toBe('OTHER');
    expect(methodLabel(undefined)).toBe('OTHER');
  });
});

describe('rungLatenessSeconds', () => {
  it('is fired_at minus the rung instant, in seconds', () => {
    expect(rungLatenessSeconds(new Date('2026-01-01T00:00:01.250Z'), '2026-01-01T00:00:00.000Z')).toBe(1.25);
    expect(rungLatenessSeconds(new Date('2026-01-01T00:01:00Z'), new Date('2026-01-01T00:00:00Z'))).toBe(60);
  });

  it('counts a rung recorded a hair early (clock skew) or with an unreadable instant as on time', () => {
    expect(rungLatenessSeconds(new Date('2026-01-01T00:00:00.000Z'), '2026-01-01T00:00:00.020Z')).toBe(0);
    expect(rungLatenessSeconds(new Date('2026-01-01T00:00:00Z'), 'not a date')).toBe(0);
  });
});

describe('actionOutcomeOf', () => {
  it('maps 409 to refused and 503 to unavailable; other failures are not action outcomes', () => {
    expect(actionOutcomeOf(409)).toBe('refused');
    expect(actionOutcomeOf(503)).toBe('unavailable');
    expect(actionOutcomeOf(422)).toBeUndefined();
    expect(actionOutcomeOf(undefined)).toBeUndefined();
  });
});
