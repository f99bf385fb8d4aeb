import type { Prisma } from '../../generated/prisma/client';
import { AlertSource, InvestigationClassification } from './investigation.type';

export type InvestigationRow = Prisma.InvestigationStateGetPayload<object>;
export type AlertRow = Prisma.AlertGetPayload<object>;
export type ApprovalRow = Prisma.ApprovalGetPayload<object>;

export type InvestigationNode = Omit<InvestigationRow, 'investigationId' | 'leaseOwner' | 'leaseExpiresAt' | 'tenantId' | 'source'> & {
  id: string;
  source: string | null;
  decisionChain: unknown;
};
export type AlertNode = Omit<AlertRow, 'alertPk' | 'tenantId' | 'source'> & { id: string; source: string | null };
export interface ApprovalDecisionNode {
  actor: string;
  decision: string;
  reason: string | null;
  at: Date | null;
  acknowledged: boolean;
}
export type ApprovalNode = Omit<ApprovalRow, 'approvalId' | 'tenantId' | 'decisions'> & { id: string; decisions: ApprovalDecisionNode[] };

const CLASSIFICATIONS = new Set<string>(Object.values(InvestigationClassification));
const SOURCES = new Set<string>(Object.values(AlertSource));

/** A stored classification if it is in the API vocabulary, else null (an enum cannot carry unknown values). */
export function knownClassification(v: string | null | undefined): string | null {
  return v && CLASSIFICATIONS.has(v) ? v : null;
}

export function knownSource(v: string | null | undefined): string | null {
  return v && SOURCES.has(v) ? v : null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function toInvestigationNode(row: InvestigationRow): InvestigationNode {
  const { investigationId, leaseOwner: _lo, leaseExpiresAt: _le, tenantId: _t, ...rest } = row;
  const gs = isRecord(row.graphState) ? row.graphState : {};
  return {
    ...rest,
    id: investigationId,
    source: knownSource(row.source),
    classification: knownClassification(row.classification),
    // The engine's GraphState uses camelCase (decisionChain); older rows used the spec's snake_case.
    decisionChain: Array.isArray(gs.decisionChain) ? gs.decisionChain : Array.isArray(gs.decision_chain) ? gs.decision_chain : [],
  };
}

export function toAlertNode(row: AlertRow): AlertNode {
  const { alertPk, tenantId: _t, ...rest } = row;
  return { ...rest, id: alertPk, source: knownSource(row.source) };
}

function parseDecision(v: unknown): ApprovalDecisionNode | null {
  if (!isRecord(v)) return null;
  const at = typeof v.at === 'string' ? new Date(v.at) : null;
  return {
    actor: typeof v.actor === 'string' ? v.actor : '',
    decision: typeof v.decision === 'string' ? v.decision : '',
    reason: typeof v.reason === 'string' ? v.reason : null,
    at: at && !Number.isNaN(at.getTime()) ? at : null,
    acknowledged: v.acknowledged === true,
  };
}

export function toApprovalNode(row: ApprovalRow): ApprovalNode {
  const { approvalId, tenantId: _t, decisions, ...rest } = row;
  const list = Array.isArray(decisions) ? decisions : [];
  return {
    ...rest,
    id: approvalId,
    decisions: list.map(parseDecision).filter((d): d is ApprovalDecisionNode => d !== null),
  };
}
