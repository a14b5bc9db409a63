import type { ColumnDef } from '../model.js';

/** A status or dropdown label as `Column.settings.labels[]` shows it (2025-10+ settings format). */
export interface Label {
  id: number;
  label: string;
  color?: string;
  index?: number;
  is_done?: boolean;
  is_deactivated?: boolean;
}

export const MAX_STATUS_LABELS = 40;
export const MAX_STATUS_LABEL_LENGTH = 30;
/** Status id 5 is monday's reserved "empty" label; new labels never take it. */
const RESERVED_STATUS_ID = 5;
const PALETTE = ['#00c875', '#fdab3d', '#df2f4a', '#579bfc', '#a25ddc', '#ffcb00', '#9cd326', '#ff007f', '#037f4c', '#784bd1'];

export function labelsOf(column: ColumnDef): Label[] {
  const labels = column.settings.labels;
  return Array.isArray(labels) ? (labels as Label[]) : [];
}

export function labelById(column: ColumnDef, id: number): Label | undefined {
  return labelsOf(column).find((l) => l.id === id);
}

/** Labels match exactly: monday made dropdown labels case-sensitive, status follows suit. */
export function labelByText(column: ColumnDef, text: string): Label | undefined {
  return labelsOf(column).find((l) => l.label === text);
}

/** Appends a label with the next free id; returns undefined when the column is full. */
export function addLabel(column: ColumnDef, text: string): Label | undefined {
  const labels = labelsOf(column);
  if (column.type === 'status' && (labels.length >= MAX_STATUS_LABELS || text.length > MAX_STATUS_LABEL_LENGTH)) return undefined;
  let id = labels.reduce((max, l) => Math.max(max, l.id), column.type === 'dropdown' ? 0 : -1) + 1;
  if (column.type === 'status' && id === RESERVED_STATUS_ID) id += 1;
  const label: Label =
    column.type === 'status'
      ? { id, label: text, color: PALETTE[id % PALETTE.length], index: labels.length, is_done: false }
      : { id, label: text, is_deactivated: false };
  column.settings = { ...column.settings, labels: [...labels, label] };
  column.revision += 1;
  return label;
}

/**
 * Accepts the label shapes people paste into a fixture or `create_column(defaults:)`: the
 * current `[{id?, label, ...}]` list or the legacy settings_str map `{"<id>": "<label>"}`.
 */
export function normalizeLabels(type: string, raw: unknown): Label[] {
  const entries: Array<{ id?: number; label: string; color?: string; is_done?: boolean }> = [];
  if (Array.isArray(raw)) {
    for (const l of raw) {
      if (typeof l === 'string') entries.push({ label: l });
      else if (l && typeof l === 'object' && typeof (l as Label).label === 'string') {
        const { id, label, color, is_done } = l as Label;
        entries.push({ id: id === undefined ? undefined : Number(id), label, color, is_done });
      }
    }
  } else if (raw && typeof raw === 'object') {
    for (const [id, label] of Object.entries(raw)) if (typeof label === 'string') entries.push({ id: Number(id), label });
  }
  const out: Label[] = [];
  let next = type === 'dropdown' ? 1 : 0;
  for (const [i, e] of entries.entries()) {
    while (e.id === undefined && (out.some((l) => l.id === next) || (type === 'status' && next === RESERVED_STATUS_ID))) next += 1;
    const id = e.id ?? next++;
    out.push(
      type === 'status'
        ? { id, label: e.label, color: e.color ?? PALETTE[id % PALETTE.length], index: i, is_done: e.is_done ?? false }
        : { id, label: e.label, is_deactivated: false },
    );
  }
  return out;
}

/** The deprecated `settings_str`, still answered for old clients. */
export function legacySettingsString(column: ColumnDef): string {
  if (column.type === 'status') {
    const labels: Record<string, string> = {};
    const colors: Record<string, { color: string }> = {};
    for (const l of labelsOf(column)) {
      labels[String(l.id)] = l.label;
      colors[String(l.id)] = { color: l.color ?? '' };
    }
    return JSON.stringify({ labels, labels_colors: colors });
  }
  if (column.type === 'dropdown') return JSON.stringify({ labels: labelsOf(column).map((l) => ({ id: l.id, name: l.label })) });
  return JSON.stringify(column.settings);
}
