import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';

export enum RoleEnum {
  VIEWER = 'viewer',
  ANALYST = 'analyst',
  APPROVER = 'approver',
  ADMIN = 'admin',
  INGEST = 'ingest',
}
registerEnumType(RoleEnum, {
  name: 'Role',
  description: 'API key roles: VIEWER < ANALYST < APPROVER < ADMIN (each includes the ones before); INGEST may only ingest alerts.',
});

@ObjectType({ description: 'An API key of the caller’s tenant. The secret is never shown again after creation.' })
export class ApiKey {
  @Field(() => ID, { description: 'Key id.' })
  keyId!: string;

  @Field({ description: 'Human-readable name.' })
  name!: string;

  @Field({ description: 'First characters of the secret, to recognise it.' })
  keyPrefix!: string;

  @Field(() => [RoleEnum], { description: 'Roles granted.' })
  roles!: string[];

  @Field({ description: 'Actor that created the key.' })
  createdBy!: string;

  @Field(() => DateTimeScalar, { description: 'Creation time.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Last successful use (minute resolution).' })
  lastUsedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Expiry, if any.' })
  expiresAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Revocation time; revoked keys no longer authenticate.' })
  revokedAt!: Date | null;
}

@ObjectType({ description: 'A newly created API key and its secret (shown once).' })
export class CreatedApiKey {
  @Field(() => ApiKey, { description: 'The key.' })
  key!: ApiKey;

  @Field({ description: 'The secret to send as `Authorization: Bearer <secret>`. Store it now: only its hash is kept.' })
  secret!: string;
}

@InputType({ description: 'A new API key.' })
export class CreateApiKeyInput {
  @Field({ description: 'Human-readable name (1–200 characters).' })
  name!: string;

  @Field(() => [RoleEnum], { description: 'Roles to grant (at least one).' })
  roles!: RoleEnum[];

  @Field(() => DateTimeScalar, { nullable: true, description: 'Optional expiry (in the future).' })
  expiresAt?: Date | null;
}
