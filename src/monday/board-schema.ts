import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { writePrivateFile } from '../private-file.js';
import type { BoardSchemaRead } from './client.js';

/**
 * A board's structure as ordersync relies on it: kept next to the config so `config validate`
 * can check mappings offline and `doctor` can detect drift against the live board.
 */
const labelSchema = z
  .object({
    id: z.number().int(),
    label: z.string(),
    is_deactivated: z.boolean().optional(),
  })
  .strict();

const columnSchema = z
  .object({
    id: z.string().min(1),
    title: z.string(),
    type: z.string().min(1),
    settings: z
      .object({
        /** status and dropdown labels with their stable ids. */
        labels: z.array(labelSchema).optional(),
        /** subtasks: the linked subitems board(s). */
        board_ids: z.array(z.string()).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const boardSnapshotSchema = z
  .object({
    board_id: z.string().regex(/^\d+$/, 'board ids are numeric strings'),
    name: z.string(),
    fetched_at: z.iso.datetime(),
    api_version: z.string().min(1),
    columns: z.array(columnSchema),
    groups: z.array(z.object({ id: z.string().min(1), title: z.string() }).strict()),
  })
  .strict();

export type BoardSnapshot = z.infer<typeof boardSnapshotSchema>;
export type SnapshotColumn = BoardSnapshot['columns'][number];
export type SnapshotLabel = z.infer<typeof labelSchema>;

export interface SnapshotSource {
  readonly apiVersion: string;
  readonly servedApiVersion: string | undefined;
  boardSchema(boardId: string): Promise<BoardSchemaRead>;
}

export async function fetchBoardSnapshot(client: SnapshotSource, boardId: string, now: Date = new Date()): Promise<BoardSnapshot> {
  const board = await client.boardSchema(boardId);
  return {
    board_id: String(board.id),
    name: board.name,
    fetched_at: now.toISOString(),
    api_version: client.servedApiVersion ?? client.apiVersion,
    columns: board.columns.map((c) => {
      const settings = normalizeSettings(c.settings);
      return { id: c.id, title: c.title, type: c.type, ...(settings ? { settings } : {}) };
    }),
    groups: board.groups.map((g) => ({ id: g.id, title: g.title })),
  };
}

/**
 * An environment's items and subitems boards as they are now; the subitems board is the
 * configured one, or the one the items board's subitems column links. `items` may be read
 * already (a run keeps its copy for hashing).
 */
export async function fetchBoards(
  client: SnapshotSource,
  ids: { items_board_id?: string; subitems_board_id?: string },
  env: string,
  items?: BoardSnapshot,
): Promise<{ items: BoardSnapshot; subitems: BoardSnapshot }> {
  if (!ids.items_board_id) throw new ConfigError(`monday.items_board_id is not set for environment "${env}"`);
  const itemsBoard = items ?? (await fetchBoardSnapshot(client, ids.items_board_id));
  const subId = ids.subitems_board_id ?? subitemsBoardId(itemsBoard);
  if (!subId) throw new ConfigError(`monday.subitems_board_id is not set and board ${itemsBoard.board_id} links no subitems board`);
  return { items: itemsBoard, subitems: await fetchBoardSnapshot(client, subId) };
}

/** The subitems board linked from an items board's `subtasks` column, if any. */
export function subitemsBoardId(snapshot: BoardSnapshot): string | undefined {
  return snapshot.columns.find((c) => c.type === 'subtasks')?.settings?.board_ids?.[0];
}

export async function writeSnapshot(path: string, snapshot: BoardSnapshot): Promise<void> {
  const checked = boardSnapshotSchema.parse(snapshot);
  await mkdir(dirname(path), { recursive: true });
  // Written aside and renamed, so a crash never leaves half a snapshot for `config validate` to trip on.
  await writePrivateFile(path, `${JSON.stringify(checked, null, 2)}\n`);
}

export async function readSnapshot(path: string): Promise<BoardSnapshot> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ConfigError(
      missing
        ? `board snapshot ${path} does not exist (create it with \`ordersync board snapshot\`)`
        : `board snapshot ${path} cannot be read: ${(cause as Error).message}`,
      { cause },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`board snapshot ${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  const parsed = boardSnapshotSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ConfigError(`board snapshot ${path} does not have the expected shape: ${problems}`);
  }
  return parsed.data;
}

/**
 * monday's `settings` differ by column type and API version: an object from 2025-10 on, a
 * JSON string before; status labels as a list (`{id,label}`) now, as an `{id: label}` map in
 * the legacy form; dropdown labels once used `name`. Only what ordersync uses is kept.
 */
function normalizeSettings(raw: unknown): SnapshotColumn['settings'] {
  const settings = typeof raw === 'string' ? safeJson(raw) : raw;
  if (typeof settings !== 'object' || settings === null) return undefined;
  const s = settings as Record<string, unknown>;
  const out: NonNullable<SnapshotColumn['settings']> = {};

  if (Array.isArray(s.labels)) {
    out.labels = s.labels.flatMap((l): SnapshotLabel[] => {
      if (typeof l !== 'object' || l === null) return [];
      const r = l as Record<string, unknown>;
      const label = typeof r.label === 'string' ? r.label : typeof r.name === 'string' ? r.name : undefined;
      const id = Number(r.id);
      if (label === undefined || !Number.isInteger(id)) return [];
      return [{ id, label, ...(r.is_deactivated === true ? { is_deactivated: true } : {}) }];
    });
  } else if (typeof s.labels === 'object' && s.labels !== null) {
    out.labels = Object.entries(s.labels as Record<string, unknown>).flatMap(([id, label]) =>
      typeof label === 'string' && Number.isInteger(Number(id)) ? [{ id: Number(id), label }] : [],
    );
  }

  const boardIds = s.boardIds ?? s.board_ids;
  if (Array.isArray(boardIds)) out.board_ids = boardIds.map(String);

  return Object.keys(out).length > 0 ? out : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
