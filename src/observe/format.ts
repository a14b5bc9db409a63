/** How figures read to a person: the dashboard, the report and the terminal tables share these. */

const numberFormat = new Intl.NumberFormat('en-US');

/** 159910696 → "159,910,696"; absent → "—". */
export function grouped(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : numberFormat.format(n);
}

/** 95 s → "1 min 35 s"; 7,300 s → "2 h 2 min"; a run not finished yet → "running". */
export function humanDuration(seconds: number | null): string {
  if (seconds === null) return 'running';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${Math.round(seconds - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
