import { BookingReplica } from './booking/booking-replica.entity';
import { Payment } from './payment/payment.entity';

export const entities = [BookingReplica, Payment];
