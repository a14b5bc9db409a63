export { adviceFor } from './advice.js';
export { afterRun, alertRefusal, evaluateAlerts, type AlertEvaluation, type AlertNotice, type NotifyResult } from './alerts.js';
export { exitCodeFor, worstExitCode, type JobExitCode } from './exit-code.js';
export { grouped, humanDuration } from './format.js';
export {
  backlog,
  lastRuns,
  latestBoardCheck,
  orderHistory,
  prune,
  runById,
  statusSnapshot,
  type OrderHistory,
  type PruneResult,
  type RunRow,
  type StatusSnapshot,
} from './queries.js';
export { buildReport, escapeHtml, rejectedOf, reportHtml, reportMarkdown, type RunReport } from './report.js';
export { runHistory, runSummary, type RunSummary } from './run-history.js';
export type { JobResult, RunProof } from './run-result.js';
export { recordsOf, verdictOf } from './verdict.js';
