import {
  type ASTVisitor,
  type DocumentNode,
  type GraphQLSchema,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  Kind,
} from 'graphql';
import { DEFAULT_PAGE_SIZE } from './connection';

/** Operation limits, all on by default (see README). */
export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxCost: number;
}

export const DEFAULT_LIMITS: QueryLimits = {
  maxDepth: 10,
  maxAliases: 15,
  maxDirectives: 50,
  maxTokens: 2000,
  maxCost: 25_000,
};

function tooComplex(message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', ...extra } });
}

/**
 * Walks every operation once (following fragment spreads, each fragment at most once per path so a
 * cycle cannot loop) and rejects it when the depth, alias count or directive count exceeds the limits.
 */
export function shapeLimitRule(limits: QueryLimits) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of context.getDocument().definitions) {
      if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    }
    return {
      OperationDefinition(op: OperationDefinitionNode) {
        let aliases = 0;
        let directives = op.directives?.length ?? 0;
        let maxDepth = 0;
        const walk = (set: SelectionSetNode, depth: number, seen: Set<string>) => {
          for (const sel of set.selections) {
            directives += sel.directives?.length ?? 0;
            if (sel.kind === Kind.FIELD) {
              if (sel.alias) aliases++;
              if (sel.selectionSet) {
                maxDepth = Math.max(maxDepth, depth + 1);
                if (depth + 1 <= limits.maxDepth + 1) walk(sel.selectionSet, depth + 1, seen);
              } else {
                maxDepth = Math.max(maxDepth, depth);
              }
            } else if (sel.kind === Kind.INLINE_FRAGMENT) {
              walk(sel.selectionSet, depth, seen);
            } else {
              const name = sel.name.value;
              const frag = fragments.get(name);
              if (!frag || seen.has(name)) continue; // cycles are reported by NoFragmentCyclesRule
              walk(frag.selectionSet, depth, new Set([...seen, name]));
            }
            if (aliases > limits.maxAliases * 4 || directives > limits.maxDirectives * 4) return;
          }
        };
        walk(op.selectionSet, 0, new Set());
        if (maxDepth > limits.maxDepth) {
          context.reportError(tooComplex(`Query depth ${maxDepth} exceeds the limit of ${limits.maxDepth}`, { limit: 'depth' }));
        }
        if (aliases > limits.maxAliases) {
          context.reportError(tooComplex(`Query uses more than ${limits.maxAliases} aliases`, { limit: 'aliases' }));
        }
        if (directives > limits.maxDirectives) {
          context.reportError(tooComplex(`Query uses more than ${limits.maxDirectives} directives`, { limit: 'directives' }));
        }
      },
    };
  };
}

function intArg(field: FieldNode, name: string, variables: Record<string, unknown>): number | undefined {
  const arg = field.arguments?.find((a) => a.name.value === name);
  if (!arg) return undefined;
  if (arg.value.kind === Kind.INT) return Number(arg.value.value);
  if (arg.value.kind === Kind.VARIABLE) {
    const v = variables[arg.value.name.value];
    return typeof v === 'number' ? v : undefined;
  }
  return undefined;
}

function unwrap(t: GraphQLOutputType): { list: boolean; named: GraphQLNamedType } {
  let cur: GraphQLOutputType = t;
  let list = false;
  for (;;) {
    if (isNonNullType(cur)) cur = cur.ofType;
    else if (isListType(cur)) {
      list = true;
      cur = cur.ofType;
    } else break;
  }
  return { list, named: getNamedType(cur) };
}

/** Multiplier of a plain list field (no page-size argument). */
export const LIST_FACTOR = 10;

/**
 * Estimated cost of an operation: every field with a selection set costs 1 plus its children, times the
 * number of items it may return: `first`/`last` (default 50) for connections, 10 for plain lists, 1
 * otherwise (`edges` of a connection is already counted by the connection). Scalars are free.
 * Variables are needed, so this runs at request time (Apollo plugin, graphql-ws onSubscribe).
 */
export function operationCost(
  schema: GraphQLSchema,
  op: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): number {
  const rootType =
    op.operation === 'query' ? schema.getQueryType() : op.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  const visit = (set: SelectionSetNode, parent: GraphQLNamedType | null | undefined, seen: Set<string>): number => {
    let cost = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (!sel.selectionSet) continue;
        const fields = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields() : undefined;
        const def: GraphQLField<unknown, unknown> | undefined = fields?.[sel.name.value];
        if (!def) continue;
        const { list, named } = unwrap(def.type);
        let factor = 1;
        if (named.name.endsWith('Connection')) {
          factor = Math.max(1, intArg(sel, 'first', variables) ?? intArg(sel, 'last', variables) ?? DEFAULT_PAGE_SIZE);
        } else if (list && !(parent?.name.endsWith('Connection') && sel.name.value === 'edges')) {
          factor = LIST_FACTOR;
        }
        cost += factor * (1 + visit(sel.selectionSet, named, seen));
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        cost += visit(sel.selectionSet, t, seen);
      } else {
        const frag = fragments.get(sel.name.value);
        if (!frag || seen.has(frag.name.value)) continue;
        cost += visit(frag.selectionSet, schema.getType(frag.typeCondition.name.value), new Set([...seen, frag.name.value]));
      }
      if (cost > Number.MAX_SAFE_INTEGER / 1e6) return cost;
    }
    return cost;
  };
  return visit(op.selectionSet, rootType, new Set());
}

/** Throws QUERY_TOO_COMPLEX when the operation's estimated cost exceeds the limit. */
export function assertCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
  limits: QueryLimits,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const ops: OperationDefinitionNode[] = [];
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    else if (d.kind === Kind.OPERATION_DEFINITION) ops.push(d);
  }
  const op = operationName ? ops.find((o) => o.name?.value === operationName) : ops[0];
  if (!op) return 0;
  const cost = operationCost(schema, op, fragments, variables);
  if (cost > limits.maxCost) {
    throw new GraphQLError(`Query cost ${cost} exceeds the limit of ${limits.maxCost}`, {
      extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'cost', cost, maxCost: limits.maxCost, http: { status: 400 } },
    });
  }
  return cost;
}
