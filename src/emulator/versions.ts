import { EMULATOR_API_VERSION } from './schema.js';
import type { VersionInfo } from './resolvers.js';

/** The versions monday listed when 2026-10 was current; every one is served the 2026-10 schema. */
export const VERSIONS: VersionInfo[] = [
  { value: '2026-07', kind: 'maintenance', display_name: 'Maintenance' },
  { value: EMULATOR_API_VERSION, kind: 'current', display_name: 'Current' },
  { value: '2027-01', kind: 'release_candidate', display_name: 'Release candidate' },
];

const CURRENT = VERSIONS.find((v) => v.kind === 'current')!;

export type VersionResolution = { ok: VersionInfo } | { missing: true } | { malformed: string };

/**
 * monday: `current` or an unknown well-formed version gets Current; a malformed one is an
 * error; and since 2026-11-27 the header is required (the emulator enforces what monday
 * announced rather than what it still tolerates).
 */
export function resolveVersion(header: string | undefined): VersionResolution {
  if (header === undefined || header.trim() === '') return { missing: true };
  const v = header.trim();
  if (v === 'current') return { ok: CURRENT };
  if (!/^\d{4}-\d{2}$/.test(v)) return { malformed: v };
  return { ok: VERSIONS.find((x) => x.value === v) ?? CURRENT };
}
