import { COMPLEXITY_SELECTION, MUTATION_TEMPLATES } from './documents.js';
import { MondayError } from './errors.js';

/** Column id → formatted value (see values.ts); `null` clears the column. */
export type ColumnValues = Readonly<Record<string, unknown>>;

export interface CreateGroupOp {
  kind: 'create_group';
  board_id: string;
  group_name: string;
  group_color?: string;
  relative_to?: string;
  position_relative_method?: 'before_at' | 'after_at';
}
export interface ArchiveGroupOp {
  kind: 'archive_group';
  board_id: string;
  group_id: string;
}
export interface CreateItemOp {
  kind: 'create_item';
  board_id: string;
  item_name: string;
  group_id?: string;
  column_values?: ColumnValues;
  create_labels_if_missing?: boolean;
}
export interface CreateSubitemOp {
  kind: 'create_subitem';
  parent_item_id: string;
  item_name: string;
  column_values?: ColumnValues;
  create_labels_if_missing?: boolean;
}
export interface ChangeColumnValuesOp {
  kind: 'change_multiple_column_values';
  board_id: string;
  item_id: string;
  column_values: ColumnValues;
  create_labels_if_missing?: boolean;
}
export interface MoveItemToGroupOp {
  kind: 'move_item_to_group';
  item_id: string;
  group_id: string;
}
export interface ArchiveItemOp {
  kind: 'archive_item';
  item_id: string;
}
export interface DeleteItemOp {
  kind: 'delete_item';
  item_id: string;
}

export interface BulkArchiveItemsOp {
  kind: 'bulk_archive_items';
  board_id: string;
  item_ids: string[];
}
export interface UndoActionOp {
  kind: 'undo_action';
  job_id: string;
}

export type MutationOp =
  | CreateGroupOp
  | ArchiveGroupOp
  | CreateItemOp
  | CreateSubitemOp
  | ChangeColumnValuesOp
  | MoveItemToGroupOp
  | ArchiveItemOp
  | DeleteItemOp
  | BulkArchiveItemsOp
  | UndoActionOp;

/** What each item mutation returns (create_group and archive_group return `{ id, title }`). */
export interface ItemRef {
  id: string;
  name: string;
  state: string | null;
  board: { id: string } | null;
  group: { id: string } | null;
}
export interface GroupRef {
  id: string;
  title: string;
}
/** bulk_archive_items answers with the job that did it. */
export interface JobRef {
  job_id: string | null;
}
/** undo_action: `success: false` (with monday's message) when the job can no longer be undone. */
export interface UndoRef {
  success: boolean | null;
  message: string | null;
}
/** What an item or group write returns; bulk_archive_items and undo_action answers are read with jobIdOf / undoOf. */
export type MutationData = ItemRef | GroupRef;

export function jobIdOf(data: MutationData | undefined): string | null {
  return (data as Partial<JobRef> | undefined)?.job_id ?? null;
}

export function undoOf(data: MutationData | undefined): UndoRef {
  const u = data as Partial<UndoRef> | undefined;
  return { success: u?.success ?? null, message: u?.message ?? null };
}

export type AliasResult = { ok: true; data: MutationData } | { ok: false; error: MondayError };

export interface MutationBatch {
  operationName: string;
  query: string;
  variables: Record<string, unknown>;
  /** `aliases[i]` carries `ops[i]`; results are matched by alias, never by position in `errors[]`. */
  aliases: string[];
}

const BATCH_OPERATION_NAME = 'MutationBatch';

function aliasFor(index: number): string {
  return `op_${index}`;
}

/** One document, one aliased mutation per op, each argument a typed variable `$<arg>_<index>`. */
export function buildMutationBatch(ops: readonly MutationOp[]): MutationBatch {
  const declarations: string[] = [];
  const fields: string[] = [];
  const variables: Record<string, unknown> = {};
  const aliases: string[] = [];

  ops.forEach((op, i) => {
    const template = MUTATION_TEMPLATES[op.kind];
    const alias = aliasFor(i);
    const args: string[] = [];
    for (const [arg, type] of Object.entries(template.args)) {
      const raw = (op as unknown as Record<string, unknown>)[arg];
      if (raw === undefined) continue;
      const name = `${arg}_${i}`;
      declarations.push(`$${name}: ${type}`);
      args.push(`${arg}: $${name}`);
      // monday's JSON scalar takes a JSON-encoded string: stringify exactly once, here.
      variables[name] = type.startsWith('JSON') ? JSON.stringify(raw) : raw;
    }
    aliases.push(alias);
    fields.push(`  ${alias}: ${op.kind}(${args.join(', ')}) { ${template.selection} }`);
  });

  const header = declarations.length > 0 ? `(${declarations.join(', ')})` : '';
  const query = `mutation ${BATCH_OPERATION_NAME}${header} {\n  ${COMPLEXITY_SELECTION}\n${fields.join('\n')}\n}`;
  return { operationName: BATCH_OPERATION_NAME, query, variables, aliases };
}

export function splitBatches<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface ResponseContext {
  httpStatus?: number;
  requestId?: string;
}

/**
 * Successful aliases are kept even when others failed: their items exist on the board and
 * their ids must be written back, or a retry would create them twice.
 */
export function aliasResults(
  batch: MutationBatch,
  data: Record<string, unknown> | null | undefined,
  errors: readonly MondayError[],
  ctx: ResponseContext,
): AliasResult[] {
  // A request-level failure (e.g. a complexity rejection) has no alias in its path: it fails every op.
  const requestLevel = errors.find((e) => e.path === undefined || !batch.aliases.includes(String(e.path[0])));

  return batch.aliases.map((alias) => {
    const value = data?.[alias];
    // A nested-field error next to a returned id still means the mutation ran.
    if (applied(value)) return { ok: true, data: value as unknown as MutationData };
    const own = errors.find((e) => e.path?.[0] === alias);
    const error =
      own ??
      requestLevel ??
      new MondayError({
        code: 'NO_RESULT',
        message: `monday returned neither a result nor an error for ${alias}`,
        httpStatus: ctx.httpStatus,
        requestId: ctx.requestId,
      });
    return { ok: false, error };
  });
}

/** True when at least one alias came back with an id, i.e. something was written. */
export function anyApplied(batch: MutationBatch, data: Record<string, unknown> | null | undefined): boolean {
  return batch.aliases.some((alias) => applied(data?.[alias]));
}

/** An alias ran when it returned its object: an id for item and group writes, a job or undo answer for the others. */
function applied(value: unknown): boolean {
  return isRecord(value) && (typeof value.id === 'string' || typeof value.job_id === 'string' || typeof value.success === 'boolean');
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
