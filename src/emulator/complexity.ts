import {
  Kind,
  getArgumentValues,
  getNamedType,
  isLeafType,
  isListType,
  getNullableType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * The documented cost model (community "Complexity Field Weights", confirmed in shape by
 * monday's changelog): a mutation field costs a flat amount, a scalar 1, an object 10, and a
 * list multiplies its subtree by the number of elements it may return.
 */
const SCALAR = 1;
const OBJECT = 10;

/** How many elements a list field is assumed to return when no limit or ids say otherwise. */
const DEFAULT_LIST_SIZE: Record<string, number> = {
  boards: 25,
  items: 25,
  columns: 50,
  column_values: 50,
  groups: 10,
  subitems: 25,
  values: 5,
  persons_and_teams: 5,
  versions: 5,
};

export function operationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  mutationCost: number,
): number {
  const root = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  if (!root) return 0;
  const walk = (type: GraphQLCompositeType, set: SelectionSetNode, pageSize: number | undefined): number => {
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? (schema.getType(sel.typeCondition.name.value) as GraphQLCompositeType) : type;
        total += walk(t, sel.selectionSet, pageSize);
      } else if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const frag = fragments[sel.name.value];
        if (frag) total += walk(schema.getType(frag.typeCondition.name.value) as GraphQLCompositeType, frag.selectionSet, pageSize);
      } else {
        total += fieldCost(type, sel, pageSize);
      }
    }
    return total;
  };
  const fieldCost = (parent: GraphQLCompositeType, node: FieldNode, pageSize: number | undefined): number => {
    if (node.name.value === '__typename' || !('getFields' in parent)) return 0;
    const def = parent.getFields()[node.name.value] as GraphQLField<unknown, unknown> | undefined;
    if (!def) return 0;
    if (isLeafType(getNamedType(def.type))) return SCALAR;
    const args = safeArgs(def, node, variables);
    const limit = typeof args.limit === 'number' ? args.limit : undefined;
    const ids = Array.isArray(args.ids) ? args.ids.length : undefined;
    const isList = isListType(getNullableType(def.type));
    // A paged object (items_page) hands its limit to the list inside it, and no further.
    const childPageSize = isList ? undefined : limit;
    const sub = node.selectionSet ? walk(getNamedType(def.type) as GraphQLCompositeType, node.selectionSet, childPageSize) : 0;
    if (!isList) return OBJECT + sub;
    const size = ids ?? limit ?? pageSize ?? DEFAULT_LIST_SIZE[def.name] ?? 25;
    return size * (OBJECT + sub);
  };
  let total = 0;
  for (const sel of operation.selectionSet.selections) {
    if (sel.kind !== Kind.FIELD) {
      total += walk(root, { kind: Kind.SELECTION_SET, selections: [sel] }, undefined);
      continue;
    }
    const isMutationField = operation.operation === 'mutation' && sel.name.value !== 'complexity' && sel.name.value !== '__typename';
    total += (isMutationField ? mutationCost : 0) + fieldCost(root, sel, undefined);
  }
  return total;
}

function safeArgs(def: GraphQLField<unknown, unknown>, node: FieldNode, variables: Record<string, unknown>): Record<string, unknown> {
  try {
    return getArgumentValues(def, node, variables);
  } catch {
    return {};
  }
}
