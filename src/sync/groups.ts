import { randomUUID } from 'node:crypto';
import type { MondayError } from '../monday/index.js';
import type { SyncContext } from './context.js';
import { journal } from '../queue/journal.js';

/**
 * Group ids by title. A title is looked up in the cache, then on the board, and only then
 * created — so a crash between creating a group and caching it never duplicates it.
 */
export interface GroupIds {
  ids: Map<string, string>;
  /** Titles monday refused to create, with its error: their orders fail, the run goes on. */
  errors: Map<string, MondayError>;
}

export async function ensureGroups(ctx: SyncContext, titles: Iterable<string>): Promise<GroupIds> {
  const board = ctx.itemsBoard.board_id;
  const wanted = [...new Set(titles)];
  const ids = new Map<string, string>();
  const errors = new Map<string, MondayError>();
  if (wanted.length === 0) return { ids, errors };

  const cached = await ctx.db.kysely.selectFrom('monday_groups').select(['title', 'group_id']).where('board_id', '=', board).execute();
  // A cached id whose group is no longer on the board (a planner deleted it) is stale: the
  // group is looked up by title again, or created, instead of failing every order for it.
  const live = new Set(ctx.itemsBoard.groups.map((g) => g.id));
  for (const c of cached) if (wanted.includes(c.title) && live.has(c.group_id)) ids.set(c.title, c.group_id);
  let missing = wanted.filter((t) => !ids.has(t));
  if (missing.length === 0) return { ids, errors };

  const onBoard = await ctx.board.groups(board);
  const found = onBoard.filter((g) => missing.includes(g.title));
  for (const g of found) ids.set(g.title, g.id);
  ctx.itemsBoard.groups.push(...found.filter((g) => !live.has(g.id)).map((g) => ({ id: g.id, title: g.title })));
  await cache(ctx, found.map((g) => ({ title: g.title, id: g.id })));
  ctx.counts.groups_found += found.length;
  missing = missing.filter((t) => !ids.has(t));

  for (let i = 0; i < missing.length; i += ctx.board.batchSize) {
    const chunk = missing.slice(i, i + ctx.board.batchSize);
    ctx.touching([]);
    const results = await ctx.board.send(
      chunk.map((title) => ({ kind: 'create_group' as const, board_id: board, group_name: title })),
      `ordersync-${ctx.env}-${ctx.runId}-${randomUUID()}`,
    );
    const created: Array<{ title: string; id: string }> = [];
    results.forEach((r, j) => {
      const title = chunk[j] as string;
      if (r.ok) created.push({ title, id: r.data.id });
      else errors.set(title, r.error);
    });
    for (const g of created) ids.set(g.title, g.id);
    ctx.itemsBoard.groups.push(...created);
    await cache(ctx, created);
    await journalCreated(ctx, created);
    ctx.counts.groups_created += created.length;
  }
  return { ids, errors };
}

/** Created groups are journaled like items: rollback removes a group its run created once it is empty. */
async function journalCreated(ctx: SyncContext, groups: Array<{ title: string; id: string }>): Promise<void> {
  if (groups.length === 0) return;
  const board = ctx.itemsBoard.board_id;
  const events = groups.map((g) => ({ order_key: null, operation: 'create_group' as const, outcome: 'OK' as const, board_id: board, monday_id: g.id, before: null, after: { title: g.title } }));
  await journal(ctx.db.kysely, ctx.runId, events, ctx.now());
}

async function cache(ctx: SyncContext, groups: Array<{ title: string; id: string }>): Promise<void> {
  if (groups.length === 0) return;
  const board = ctx.itemsBoard.board_id;
  const now = ctx.now();
  await ctx.db.kysely
    .insertInto('monday_groups')
    .values(groups.map((g) => ({ board_id: board, title: g.title, group_id: g.id, created_at: now })))
    .onConflict((oc) => oc.columns(['board_id', 'title']).doUpdateSet((eb) => ({ group_id: eb.ref('excluded.group_id') })))
    .execute();
}
