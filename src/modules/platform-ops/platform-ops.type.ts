import { SafeIntResolver } from 'graphql-scalars';
import { Field, Float, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';

export enum EmbeddingMigrationStatus {
  IN_PROGRESS = 'in_progress',
  PAUSED = 'paused',
  COMPLETED = 'completed',
  FAILED = 'failed',
}
registerEnumType(EmbeddingMigrationStatus, { name: 'EmbeddingMigrationStatus', description: 'State of a re-embedding run.' });

@ObjectType({ description: 'Checkpointed progress of re-embedding a vector collection with a new model (spec §4.12).' })
export class EmbeddingMigration {
  @Field(() => ID, { description: 'Run id.' })
  id!: string;

  @Field({ description: 'Embedding model being replaced.' })
  oldModel!: string;

  @Field({ description: 'Embedding model being introduced.' })
  newModel!: string;

  @Field({ description: 'Vector collection being migrated.' })
  collection!: string;

  @Field({ description: 'Checkpoint: last point migrated (resume from here).' })
  lastPointId!: string;

  @Field(() => SafeIntResolver, { description: 'Points migrated so far.' })
  pointsMigrated!: number;

  @Field(() => SafeIntResolver, { description: 'Points in the collection.' })
  pointsTotal!: number;

  @Field(() => Float, { description: 'pointsMigrated / pointsTotal (0 when the total is unknown).' })
  progress!: number;

  @Field(() => EmbeddingMigrationStatus, { description: 'Run state.' })
  status!: string;

  @Field(() => DateTimeScalar, { description: 'Start time.' })
  startedAt!: Date;

  @Field(() => DateTimeScalar, { description: 'Last checkpoint.' })
  updatedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Completion time.' })
  completedAt!: Date | null;
}

@ObjectType({
  description: 'An analyst dashboard session. The session id is a credential and is never returned; sessionFingerprint identifies it.',
})
export class DashboardSession {
  @Field({ description: 'sha256 hex of the session id, to correlate with logs without exposing the credential.' })
  sessionFingerprint!: string;

  @Field({ description: 'User of the session.' })
  userId!: string;

  @Field({ description: 'Dashboard role of the session (analyst, senior_analyst, admin).' })
  role!: string;

  @Field(() => DateTimeScalar, { description: 'Start time.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { description: 'Expiry time.' })
  expiresAt!: Date;

  @Field({ description: 'Whether the session has not expired yet.' })
  active!: boolean;
}

@InputType({ description: 'Filters for embeddingMigrations.' })
export class EmbeddingMigrationFilter {
  @Field(() => String, { nullable: true, description: 'Only this collection.' })
  collection?: string | null;

  @Field(() => EmbeddingMigrationStatus, { nullable: true, description: 'Only this state.' })
  status?: EmbeddingMigrationStatus | null;
}

@InputType({ description: 'Filters for dashboardSessions.' })
export class DashboardSessionFilter {
  @Field(() => String, { nullable: true, description: 'Only sessions of this user.' })
  userId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Only sessions that have not expired.' })
  activeOnly?: boolean | null;
}
