import {
  Kysely,
  MssqlQueryCompiler,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import type { Db } from '../../../src/db/connect.js';
import { dialectAdapter } from '../../../src/db/dialects/index.js';
import { TableNamesPlugin } from '../../../src/db/table-names.js';
import type { Database } from '../../../src/db/types.js';

/**
 * Statements as SQL Server receives them: parameters as `?`, and a multi-row VALUES or an IN
 * list shown once, so a run's statements repeat instead of growing with its data.
 */
export function normalise(sqlText: string): string {
  return sqlText
    .replace(/;$/, '')
    .replace(/@\d+/g, '?')
    .replace(/\((?:\?, )*\?\)(?:, \((?:\?, )*\?\))+/g, (m) => `${m.slice(0, m.indexOf(')') + 1)}, …`)
    .replace(/in \((?:\?, )+\?\)/g, 'in (?, …)');
}

type Named = { kind: string; table?: { identifier: { name: string } }; node?: Named };

/** The first table a statement names (what it writes, or reads first), through an alias. */
function tableOf(node: RootOperationNode): string {
  const n = node as { into?: Named; table?: Named; from?: { froms: Named[] } };
  const first = n.into ?? n.table ?? n.from?.froms[0];
  const table = first?.kind === 'AliasNode' ? first.node : first;
  return table?.table?.identifier.name ?? '(no table)';
}

/**
 * Watches a database ordersync works on (SQLite) and compiles every statement the builder
 * made for SQL Server as well: through the mssql adapter's rewrites, with Kysely's
 * MssqlQueryCompiler, never sent anywhere. Raw SQL (the SQLite adapter's own) is not
 * recompiled: the mssql adapter's raw statements are compiled by calling it (compileOnly).
 */
export class MssqlRecorder implements KyselyPlugin {
  readonly #compiler = new MssqlQueryCompiler();
  readonly #rewrites = dialectAdapter('mssql').plugins?.() ?? [];
  /** By phase, then by table: the distinct statements. */
  readonly statements = new Map<string, Map<string, Set<string>>>();
  phase = 'setup';

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (args.node.kind !== 'RawNode') {
      const node = this.#rewrites.reduce<RootOperationNode>((n, p) => p.transformQuery({ node: n, queryId: args.queryId }), args.node);
      const text = normalise(this.#compiler.compileQuery(node, args.queryId).sql);
      const byTable = this.statements.get(this.phase) ?? new Map<string, Set<string>>();
      this.statements.set(this.phase, byTable);
      const table = tableOf(args.node);
      byTable.set(table, (byTable.get(table) ?? new Set()).add(text));
    }
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }

  /** The db, with every statement also compiled for SQL Server. */
  watch(db: Db): Db {
    return { ...db, kysely: db.kysely.withPlugin(this), raw: db.raw.withPlugin(this) };
  }

  /** One phase's statements, table by table, as a snapshot file's text. */
  text(phase: string, tables?: readonly string[]): string {
    const byTable = this.statements.get(phase) ?? new Map<string, Set<string>>();
    return [...byTable.entries()]
      .filter(([t]) => tables === undefined || tables.includes(t))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([t, s]) => `-- ${t}\n${[...s].sort().join(';\n')};\n`)
      .join('\n');
  }
}

/**
 * A Db on SQL Server's compiler whose driver is never opened (Kysely's DummyDriver: every
 * query answers no rows); `compiled` lists what was issued, in order.
 */
export function compileOnlyDb(tables: Record<keyof Database, string> & { migrations: string }): { db: Db; compiled: string[] } {
  const adapter = dialectAdapter('mssql');
  const compiled: string[] = [];
  const { migrations, ...logical } = tables;
  const raw = new Kysely<any>({
    dialect: adapter.compiler(),
    plugins: adapter.plugins?.() ?? [],
    log: (e) => {
      compiled.push(normalise(e.query.sql));
    },
  });
  const kysely = raw.withPlugin(new TableNamesPlugin(logical)) as unknown as Kysely<Database>;
  return { db: { kysely, raw, dialect: 'mssql', adapter, tables: logical, migrationTable: migrations, close: () => raw.destroy() }, compiled };
}
