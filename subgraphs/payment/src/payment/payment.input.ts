import { IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';

/**
 * Card details, used once to charge and never stored (only the last four digits are).
 * Checked by `validateCard`, which names each bad field without echoing the values.
 */
@InputType()
export class CardInput {
  @Field({ description: 'The card number; spaces and dashes are ignored' })
  @MaxLength(32)
  number!: string;

  @Field(() => Int, { description: '1 to 12' })
  expMonth!: number;

  @Field(() => Int, { description: 'Four digits (two digits mean 20xx)' })
  expYear!: number;

  @Field({ description: '3 or 4 digits' })
  @MaxLength(8)
  cvc!: string;
}

@InputType()
export class PayForBookingInput {
  @Field(() => ID)
  @IsUUID()
  bookingId!: string;

  @Field(() => CardInput)
  @ValidateNested()
  card!: CardInput;
}
