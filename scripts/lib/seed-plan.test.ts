import { DEMO_LOCATIONS, planBookings } from './seed-plan';

describe('the demo data', () => {
  const workspaces = DEMO_LOCATIONS.flatMap((l) => l.workspaces).length;
  const bookings = planBookings(36, 8, workspaces, new Date('2026-11-22T15:00:00Z'));

  it('never books one workspace twice at the same time', () => {
    for (let w = 0; w < workspaces; w++) {
      const mine = bookings.filter((b) => b.workspace === w).sort((a, b) => a.startsAt.localeCompare(b.startsAt));
      for (let i = 1; i < mine.length; i++) expect(mine[i].startsAt >= mine[i - 1].endsAt).toBe(true);
    }
  });

  it('books only the future, in whole hours, and reaches every fate', () => {
    expect(bookings.every((b) => b.startsAt > '2026-11-22T15:00:00.000Z' && b.startsAt.endsWith(':00:00.000Z'))).toBe(true);
    expect(new Set(bookings.map((b) => b.fate))).toEqual(new Set(['paid', 'pending', 'declined', 'cancelled']));
    expect(new Set(bookings.map((b) => b.member)).size).toBe(8);
  });
});
