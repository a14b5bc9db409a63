export interface SyncCounts {
  groups_found: number;
  groups_created: number;
  items_created: number;
  items_updated: number;
  items_cancelled: number;
  items_archived: number;
  /** Archives whose item a planner had already deleted: nothing sent to it was archived, the order forgets the id. */
  items_already_gone: number;
  items_unchanged: number;
  items_failed: number;
  items_skipped: number;
  subitems_created: number;
  subitems_updated: number;
  subitems_zeroed: number;
  subitems_removed: number;
  subitems_unchanged: number;
  subitems_failed: number;
  /** Lines whose subitem id was under another item: left untouched, the line gets its own. */
  subitems_detached: number;
  adopted_items: number;
  adopted_subitems: number;
  requeued: number;
}

export function emptySyncCounts(): SyncCounts {
  return {
    groups_found: 0,
    groups_created: 0,
    items_created: 0,
    items_updated: 0,
    items_cancelled: 0,
    items_archived: 0,
    items_already_gone: 0,
    items_unchanged: 0,
    items_failed: 0,
    items_skipped: 0,
    subitems_created: 0,
    subitems_updated: 0,
    subitems_zeroed: 0,
    subitems_removed: 0,
    subitems_unchanged: 0,
    subitems_failed: 0,
    subitems_detached: 0,
    adopted_items: 0,
    adopted_subitems: 0,
    requeued: 0,
  };
}
