import {
  OperationNodeTransformer,
  SchemableIdentifierNode,
  type TableNode,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import type { LogicalTable } from './types.js';

export type TableNames = Record<LogicalTable, string>;

/**
 * Queries are written against logical table names (typed); this plugin swaps in the
 * names configured for the environment, so no table name is fixed in the source.
 */
class RenameTables extends OperationNodeTransformer {
  constructor(private readonly names: ReadonlyMap<string, string>) {
    super();
  }

  protected override transformTable(node: TableNode): TableNode {
    const t = node.table;
    const physical = t.schema ? undefined : this.names.get(t.identifier.name);
    if (physical === undefined) return super.transformTable(node);
    return { ...node, table: SchemableIdentifierNode.create(physical) };
  }
}

export class TableNamesPlugin implements KyselyPlugin {
  readonly #transformer: RenameTables;

  constructor(names: TableNames) {
    this.#transformer = new RenameTables(new Map(Object.entries(names)));
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node, args.queryId);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
