import { Arg, Args, Authorized, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import { Connection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { PageArgsInput } from '../../graphql/page-args';
import { AuditRecordFilter, AuditVerificationFilter } from './audit-log.inputs';
import { AuditChainHead, AuditRecord, AuditVerification } from './audit-log.type';

export const AuditRecordConnection = Connection(AuditRecord, 'AuditRecord', 'A page of audit records in chain order.');
export const AuditVerificationConnection = Connection(AuditVerification, 'AuditVerification', 'A page of audit chain verification runs, newest first.');

/** Audit data is for approvers and admins (the spec's audit_reader role). */
@Resolver(() => AuditRecord)
export class AuditLogResolver {
  @Authorized('approver')
  @Query(() => AuditRecordConnection, { description: 'Audit records of your tenant in chain order (sequence ascending); approver or admin.' })
  auditRecords(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => AuditRecordFilter, { nullable: true, description: 'Filters.' }) filter: AuditRecordFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.auditLog.records(scope, filter, page);
  }

  @Authorized('approver')
  @Query(() => AuditRecord, { description: 'One audit record of your tenant by sequence number; approver or admin.' })
  auditRecord(
    @CurrentScope() scope: Scope,
    @Arg('sequenceNumber', () => Int, { description: 'Position in the chain.' }) sequenceNumber: number,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.auditLog.record(scope, sequenceNumber);
  }

  @Authorized('approver')
  @Query(() => AuditChainHead, { nullable: true, description: 'Head of your tenant’s audit chain (null before the first record); approver or admin.' })
  auditChainHead(@CurrentScope() scope: Scope, @Ctx() ctx: GraphQLContext) {
    return ctx.services.auditLog.chainHead(scope);
  }

  @Authorized('approver')
  @Query(() => AuditVerificationConnection, { description: 'Verification runs over your tenant’s audit chain, newest first; approver or admin.' })
  auditVerifications(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => AuditVerificationFilter, { nullable: true, description: 'Filters.' }) filter: AuditVerificationFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.auditLog.verifications(scope, filter, page);
  }
}
