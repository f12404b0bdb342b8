import { MoneyInput, PageArgs } from '@atrium/kit/subgraph';
import { ArrayMaxSize, IsInt, IsOptional, IsUUID, Length, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { WorkspaceKind } from './workspace.entity';

@InputType()
export class WorkspaceFilter {
  @Field({ nullable: true, description: 'Exact city, case-insensitive' })
  @IsOptional()
  @MaxLength(80)
  city?: string;

  @Field(() => WorkspaceKind, { nullable: true })
  kind?: WorkspaceKind;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  minCapacity?: number;

  @Field(() => [String], { nullable: true, description: 'Workspaces having all of these' })
  @IsOptional()
  @ArrayMaxSize(20)
  amenities?: string[];

  @Field({ nullable: true, description: 'Words in the name or description' })
  @IsOptional()
  @MaxLength(100)
  text?: string;

  @Field(() => Int, { nullable: true, description: 'Highest hourly rate, in minor units' })
  @IsOptional()
  @IsInt()
  @Min(0)
  maxHourlyRate?: number;

  @Field({ nullable: true, defaultValue: false, description: 'Also list archived workspaces (MANAGER or ADMIN)' })
  includeArchived?: boolean;
}

@ArgsType()
export class WorkspacesArgs extends PageArgs {
  @Field(() => WorkspaceFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  filter?: WorkspaceFilter;
}

@InputType()
export class CreateWorkspaceInput {
  @Field(() => ID)
  @IsUUID()
  locationId!: string;

  @Field()
  @Length(1, 120)
  name!: string;

  @Field({ nullable: true })
  @IsOptional()
  @MaxLength(2000)
  description?: string;

  @Field(() => WorkspaceKind)
  kind!: WorkspaceKind;

  @Field(() => Int)
  @IsInt()
  @Min(1)
  @Max(10_000)
  capacity!: number;

  @Field(() => MoneyInput)
  @ValidateNested()
  hourlyRate!: MoneyInput;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(30)
  @MaxLength(40, { each: true })
  amenities?: string[];
}

@InputType()
export class UpdateWorkspaceInput {
  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 120)
  name?: string;

  @Field({ nullable: true })
  @IsOptional()
  @MaxLength(2000)
  description?: string;

  @Field(() => WorkspaceKind, { nullable: true })
  kind?: WorkspaceKind;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  capacity?: number;

  @Field(() => MoneyInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  hourlyRate?: MoneyInput;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(30)
  @MaxLength(40, { each: true })
  amenities?: string[];
}
