import { ActivityLog } from './activity/activity-log.entity';
import { BookingRecord } from './booking/booking-record.entity';
import { PaymentRecord } from './booking/payment-record.entity';
import { DailyCounters, DailyRevenue } from './stats/daily-stats.entity';

export const entities = [ActivityLog, DailyCounters, DailyRevenue, BookingRecord, PaymentRecord];
