/**
 * Dates and timestamps come back as the text PostgreSQL stores, not as JS Dates in the
 * process's local time zone (which shifts a DATE by a day west of UTC), matching SQLite.
 */
export const PG_DATE = 1082;
export const PG_TIMESTAMP = 1114;
export const PG_TIMESTAMPTZ = 1184;

const asIs = (v: string) => v;
export const TEXT_AS_IS: Record<number, (v: string) => unknown> = {
  [PG_DATE]: asIs,
  [PG_TIMESTAMP]: asIs,
  [PG_TIMESTAMPTZ]: asIs,
};
