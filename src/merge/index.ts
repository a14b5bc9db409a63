export { merge, type MergeOptions } from './merge.js';
export type { ValueFormatter } from './board-values.js';
export type { MergeSummary, MergeCounts, MergeWarning } from './summary.js';
export { resolveSizeColumns, stagingColumns } from './staging-columns.js';
export { canonicalJson, sha256, type FieldValue } from './hash.js';
export { orderKey, KEY_SEPARATOR } from './project.js';
export { rejectionPlace, rowLabels } from './duplicates.js';
export type { ProjectedOrder } from './project.js';
export type { Outcome } from './diff.js';
