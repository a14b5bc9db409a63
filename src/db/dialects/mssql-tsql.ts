import {
  ColumnNode,
  OperationNodeTransformer,
  OutputNode,
  ReferenceNode,
  SelectionNode,
  TableNode,
  TopNode,
  sql,
  type InsertQueryNode,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryId,
  type QueryResult,
  type ReturningNode,
  type RootOperationNode,
  type SelectQueryNode,
  type UnknownRow,
} from 'kysely';

const node = (n: OperationNode) => ({ toOperationNode: () => n });

/**
 * ordersync's queries use the builder's portable forms (limit, returning, on conflict); SQL
 * Server spells them TOP, OUTPUT and MERGE. This turns one into the other before compiling,
 * so no query outside src/db/dialects/ needs to know it runs on SQL Server.
 */
class TsqlForms extends OperationNodeTransformer {
  protected override transformSelectQuery(n: SelectQueryNode, queryId?: QueryId): SelectQueryNode {
    const q = super.transformSelectQuery(n, queryId);
    if (!q.limit) return q;
    const value = q.limit.limit as { kind: string; value?: unknown };
    if (q.offset || value.kind !== 'ValueNode' || typeof value.value !== 'number') {
      throw new Error('SQL Server: only a constant limit without offset translates to TOP');
    }
    return { ...q, limit: undefined, top: TopNode.create(value.value) };
  }

  protected override transformInsertQuery(n: InsertQueryNode, queryId?: QueryId): InsertQueryNode {
    const q = super.transformInsertQuery(n, queryId);
    if (!q.returning) return q;
    return { ...q, returning: undefined, output: outputOf(q.returning, 'inserted') };
  }
}

function outputOf(returning: ReturningNode, pseudoTable: 'inserted' | 'deleted'): OutputNode {
  return OutputNode.create(
    returning.selections.map((s) => {
      const ref = s.selection as { kind: string; column?: ColumnNode };
      if (ref.kind !== 'ReferenceNode' || ref.column?.kind !== 'ColumnNode') throw new Error('SQL Server: OUTPUT takes plain columns only');
      return SelectionNode.create(ReferenceNode.create(ColumnNode.create(ref.column.column.name), TableNode.create(pseudoTable)));
    }),
  );
}

/**
 * INSERT … ON CONFLICT (keys) DO UPDATE as a MERGE that holds its key range (HOLDLOCK), so two
 * writers cannot both insert the same key between the match and the insert.
 */
function mergeFor(q: InsertQueryNode): RootOperationNode {
  const conflict = q.onConflict!;
  const columns = (q.columns ?? []).map((c) => c.column.name);
  const keys = (conflict.columns ?? []).map((c) => c.column.name);
  const rows = (q.values as { values?: ReadonlyArray<{ kind: string; values: ReadonlyArray<unknown> }> } | undefined)?.values ?? [];
  if (!q.into || keys.length === 0 || columns.length === 0 || rows.length === 0) throw new Error('SQL Server: ON CONFLICT needs its key columns and values');
  const cell = (v: unknown) => (v !== null && typeof v === 'object' && 'kind' in v ? node(v as OperationNode) : v);
  const source = sql.join(rows.map((r) => sql`(${sql.join(r.values.map(cell))})`));
  const on = sql.join(
    keys.map((k) => sql`t.${sql.id(k)} = s.${sql.id(k)}`),
    sql` and `,
  );
  const updates = (conflict.updates ?? []).map((u) => {
    const value = u.value as { kind: string; table?: TableNode; column?: ColumnNode };
    const fromRow = value.kind === 'ReferenceNode' && value.table?.table.identifier.name === 'excluded' && value.column;
    return sql`${sql.id((u.column as ColumnNode).column.name)} = ${fromRow ? sql`s.${sql.id(value.column!.column.name)}` : node(u.value)}`;
  });
  const matched = conflict.doNothing || updates.length === 0 ? sql`` : sql` when matched then update set ${sql.join(updates)}`;
  const list = sql.join(columns.map((c) => sql.id(c)));
  const inserted = sql.join(columns.map((c) => sql`s.${sql.id(c)}`));
  return sql`merge into ${node(q.into)} with (holdlock) as t using (values ${source}) as s (${list}) on ${on}${matched} when not matched then insert (${list}) values (${inserted});`.toOperationNode();
}

export class TsqlPlugin implements KyselyPlugin {
  readonly #forms = new TsqlForms();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const n = args.node;
    if (n.kind === 'InsertQueryNode' && n.onConflict) return this.#forms.transformNode(mergeFor(n), args.queryId);
    return this.#forms.transformNode(n, args.queryId);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
