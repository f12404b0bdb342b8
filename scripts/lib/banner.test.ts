import { renderBanner } from './banner';
import { planServices } from './service-plan';
import type { SubgraphEntry } from '@atrium/kit';
import { colorEnabled, createPaint, maskPassword, padTag, renderBox, visibleLength } from './terminal';

const subgraphs: SubgraphEntry[] = [
  { name: 'identity', url: 'http://127.0.0.1:4001/graphql', port: 4001, schemaFile: '/r/schema/identity.graphql' },
  { name: 'catalog', url: 'http://127.0.0.1:4002/graphql', port: 4002, schemaFile: '/r/schema/catalog.graphql' },
];

function services(only: string[], gateway = true): ReturnType<typeof planServices> {
  return planServices({ subgraphs, args: { subgraphs: only, gateway, help: false }, env: {}, color: false });
}

describe('renderBanner', () => {
  it('shows Sandbox, the dashboard, readiness, every subgraph and the embedded database with its password masked', () => {
    const banner = renderBanner({
      services: services(['identity', 'catalog']),
      notStarted: [],
      database: {
        kind: 'embedded',
        url: 'postgres://postgres:pw@127.0.0.1:54329',
        dataDir: '/repo/.atrium/postgres',
        passwordFile: '/repo/.atrium/postgres.password',
      },
      repoRoot: '/repo',
      paint: createPaint(false),
    });
    expect(banner).toContain('Sandbox     http://localhost:4000/graphql');
    expect(banner).toContain('Readiness   http://localhost:4000/ready');
    expect(banner).toContain('Dashboard   http://localhost:4000/dashboard');
    expect(banner).toContain('identity    http://localhost:4001/graphql');
    expect(banner).toContain('catalog     http://localhost:4002/graphql');
    expect(banner).toContain('embedded, postgres://postgres:***@127.0.0.1:54329');
    expect(banner).toContain('data .atrium/postgres, password in .atrium/postgres.password');
    expect(banner).not.toContain(':pw@');
  });

  it('says what was left out and which server DATABASE_URL named', () => {
    const banner = renderBanner({
      services: services(['catalog'], false),
      notStarted: ['identity'],
      database: { kind: 'external', url: 'postgres://app:secret@db:5432' },
      repoRoot: '/repo',
      paint: createPaint(false),
    });
    expect(banner).toContain('Gateway     not started (--no-gateway)');
    expect(banner).toContain('Not started identity');
    expect(banner).toContain('postgres://app:***@db:5432 (DATABASE_URL)');
  });

  it('shows a data folder outside the repository by its absolute path', () => {
    const banner = renderBanner({
      services: services(['identity']),
      notStarted: ['catalog'],
      database: {
        kind: 'embedded',
        url: 'postgres://postgres:pw@127.0.0.1:54329',
        dataDir: '/var/atrium/postgres',
        passwordFile: '/var/atrium/postgres.password',
      },
      repoRoot: '/repo',
      paint: createPaint(false),
    });
    expect(banner).toContain('data /var/atrium/postgres, password in /var/atrium/postgres.password');
  });
  it('widens the label column for a long subgraph name', () => {
    const banner = renderBanner({
      services: [...services(['identity']), { ...services(['identity'])[0], name: 'notification', graphqlUrl: 'http://localhost:4005/graphql' }],
      notStarted: [],
      database: { kind: 'external', url: 'postgres://postgres@127.0.0.1:5432' },
      repoRoot: '/repo',
      paint: createPaint(false),
    });
    expect(banner).toContain('notification  http://localhost:4005/graphql');
    expect(banner).toContain('Sandbox       http://localhost:4000/graphql');
  });
});

describe('terminal helpers', () => {
  it('draws a box around lines of different widths, ignoring colour codes', () => {
    const paint = createPaint(true);
    const box = renderBox(['short', paint.bold('a longer line')]).split('\n');
    expect(box).toHaveLength(4);
    expect(new Set(box.map(visibleLength)).size).toBe(1);
    expect(box[0]).toBe(`┌${'─'.repeat(15)}┐`);
  });

  it('pads tags to one column', () => {
    expect(padTag('gateway', 8)).toBe('[gateway] ');
    expect(padTag('postgres', 8)).toBe('[postgres]');
  });

  it('colours only on a terminal, unless NO_COLOR or FORCE_COLOR decide', () => {
    expect(colorEnabled({}, true)).toBe(true);
    expect(colorEnabled({}, false)).toBe(false);
    expect(colorEnabled({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colorEnabled({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(colorEnabled({ FORCE_COLOR: '0' }, true)).toBe(false);
  });

  it('masks passwords in connection URLs', () => {
    expect(maskPassword('postgres://u:p%40ss@h:5432/db')).toBe('postgres://u:***@h:5432/db');
    expect(maskPassword('postgres://u@h:5432')).toBe('postgres://u@h:5432');
  });


});
