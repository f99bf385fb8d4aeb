import { ArgsType, Field, Int } from 'type-graphql';

/** Relay pagination arguments, taken by every list field. */
@ArgsType()
export class PageArgsInput {
  @Field(() => Int, { nullable: true, description: 'Page size from the start (default 50, max 500).' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor to continue after.' })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: 'Page size from the end (max 500).' })
  last?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor to continue before.' })
  before?: string | null;
}
