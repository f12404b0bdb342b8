import { subgraphEnv, z } from '@atrium/kit';

/** booking's environment: the common subgraph variables plus the booking rules (see .env.example). */
export const bookingEnv = {
  ...subgraphEnv(4003, 'atrium_booking'),
  /** How long an unpaid booking holds its slot (seconds) before it EXPIRES. */
  BOOKING_HOLD_TTL: z.coerce.number().int().min(1).max(7 * 24 * 3600).default(900),
  /** Shortest booking, in minutes. */
  BOOKING_MIN_MINUTES: z.coerce.number().int().min(1).default(15),
  /** Longest booking, in days. */
  BOOKING_MAX_DAYS: z.coerce.number().int().min(1).max(366).default(14),
  /** How far ahead a booking may start, in days. */
  BOOKING_MAX_ADVANCE_DAYS: z.coerce.number().int().min(1).max(3660).default(365),
  /** Widest window `Workspace.availability` accepts, in days. */
  AVAILABILITY_MAX_DAYS: z.coerce.number().int().min(1).max(366).default(31),
  /**
   * Cron pattern (UTC; a sixth, leading field counts seconds) of the sweep that expires
   * overdue holds and completes finished bookings whose delayed job was lost (Redis may
   * lose its data); every 5 seconds by default; `off` disables it.
   */
  BOOKING_SWEEP_CRON: z.string().min(1).default('*/5 * * * * *'),
};

export type BookingConfig = z.infer<z.ZodObject<typeof bookingEnv>>;

/** The booking rules the service applies, derived from the configuration. */
export interface BookingRules {
  holdTtlMs: number;
  minMinutes: number;
  maxMinutes: number;
  maxAdvanceMs: number;
  availabilityMaxMs: number;
}

const DAY_MS = 24 * 3600 * 1000;

export const rulesOf = (config: BookingConfig): BookingRules => ({
  holdTtlMs: config.BOOKING_HOLD_TTL * 1000,
  minMinutes: config.BOOKING_MIN_MINUTES,
  maxMinutes: config.BOOKING_MAX_DAYS * 24 * 60,
  maxAdvanceMs: config.BOOKING_MAX_ADVANCE_DAYS * DAY_MS,
  availabilityMaxMs: config.AVAILABILITY_MAX_DAYS * DAY_MS,
});
