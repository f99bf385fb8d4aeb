import { Arg, Args, Authorized, Ctx, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import { unauthenticated } from '../../errors/domain-error';
import { Connection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { PageArgsInput } from '../../graphql/page-args';
import type { AuditRecordNode } from '../audit-log/audit-log.service';
import { AuditRecord } from '../audit-log/audit-log.type';
import { AuditCheckpoint, AuditEventFilter, AuditInclusionProof, AuditPublicKey, AuditVerificationReport } from './audit-chain.type';

export const AuditCheckpointConnection = Connection(AuditCheckpoint, 'AuditCheckpoint', 'A page of signed audit checkpoints.');

interface AuditEventsArgs {
  filter?: AuditEventFilter | null;
  afterSequence?: number | null;
}

@Resolver()
export class AuditChainResolver {
  @Authorized('viewer')
  @Query(() => AuditPublicKey, { description: 'The Ed25519 public key that signs audit checkpoints.' })
  auditPublicKey(@CurrentScope() scope: Scope, @Ctx() ctx: GraphQLContext) {
    return ctx.services.auditChain.publicKey(scope);
  }

  @Authorized('approver')
  @Query(() => AuditCheckpointConnection, { description: 'Signed checkpoints of your tenant’s audit chain, newest first; approver or admin.' })
  auditCheckpoints(@CurrentScope() scope: Scope, @Args(() => PageArgsInput) page: PageArgsInput, @Ctx() ctx: GraphQLContext) {
    return ctx.services.auditChain.checkpoints(scope, page);
  }

  @Authorized('approver')
  @Query(() => AuditInclusionProof, {
    description: 'Merkle audit path proving that record `sequence` is in the newest signed checkpoint (NOT_FOUND until a checkpoint covers it); approver or admin.',
  })
  auditInclusionProof(@CurrentScope() scope: Scope, @Arg('sequence', () => Int) sequence: number, @Ctx() ctx: GraphQLContext) {
    return ctx.services.auditChain.inclusionProof(scope, sequence);
  }

  @Authorized('approver')
  @Mutation(() => AuditVerificationReport, {
    description: 'Recomputes every hash and link of your tenant’s audit chain (optionally a range) against the newest signed checkpoint and records the run; approver or admin.',
  })
  verifyAuditChain(
    @CurrentScope() scope: Scope,
    @Arg('fromSequence', () => Int, { nullable: true, description: 'First sequence (default: the start).' }) fromSequence: number | null,
    @Arg('toSequence', () => Int, { nullable: true, description: 'Last sequence (default: the head).' }) toSequence: number | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.auditChain.verify(scope, { fromSequence, toSequence });
  }

  @Authorized('approver')
  @Subscription(() => AuditRecord, {
    description:
      'Your tenant’s audit records as they commit. With afterSequence, first replays the stored records after it, then continues live: in order, no gap, no duplicate (resume with the last sequence you saw). Approver or admin.',
    subscribe: ({ args, context }) => {
      const ctx = context as GraphQLContext;
      if (!ctx.scope) throw unauthenticated();
      const a = args as AuditEventsArgs;
      return ctx.services.auditChain.stream(ctx.scope, a.filter, a.afterSequence);
    },
  })
  auditEvents(
    @Root() record: AuditRecordNode,
    @Arg('filter', () => AuditEventFilter, { nullable: true, description: 'Categories, event types, severities.' }) _filter: AuditEventFilter | null,
    @Arg('afterSequence', () => Int, { nullable: true, description: 'Replay the records after this sequence first.' }) _afterSequence: number | null,
  ): AuditRecordNode {
    return record;
  }
}
