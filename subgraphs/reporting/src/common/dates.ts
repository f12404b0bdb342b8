const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The UTC day (`YYYY-MM-DD`) an instant falls on: reporting counts every event in UTC days. */
export const utcDay = (instant: Date | string): string => new Date(instant).toISOString().slice(0, 10);

/** Midnight UTC at the start of `day` (`YYYY-MM-DD`). */
export const startOfDay = (day: string): Date => new Date(`${day}T00:00:00.000Z`);

/** The day after `day`. */
export const nextDay = (day: string): string => utcDay(new Date(startOfDay(day).getTime() + DAY_MS));

/** The day before `day`. */
export const previousDay = (day: string): string => utcDay(new Date(startOfDay(day).getTime() - DAY_MS));

/** Every day from `from` to `to`, both included (empty when `to` is before `from`). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = startOfDay(from).getTime(), end = startOfDay(to).getTime(); t <= end; t += DAY_MS) days.push(utcDay(new Date(t)));
  return days;
}

/** Hours between two instants, as a fraction. */
export const hoursBetween = (from: Date, to: Date): number => (to.getTime() - from.getTime()) / HOUR_MS;

export { DAY_MS };

/** True for a real calendar day written `YYYY-MM-DD`. */
export function isDay(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}
