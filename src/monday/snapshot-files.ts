import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveFromConfig, type ResolvedConfig, type Settings } from '../config/index.js';
import { readSnapshot, type BoardSnapshot } from './board-schema.js';

export type BoardRole = 'items' | 'subitems';

/** Snapshots live next to the config, one file per environment and board role. */
export function snapshotPath(cfg: Pick<ResolvedConfig, 'dir'>, s: Settings, env: string, role: BoardRole): string {
  return join(resolveFromConfig(cfg, s.monday.snapshot_dir), `${env}.${role}.json`);
}

export async function readSnapshots(
  cfg: Pick<ResolvedConfig, 'dir'>,
  s: Settings,
  env: string,
): Promise<{ items?: BoardSnapshot; subitems?: BoardSnapshot; missing: string[] }> {
  const out: { items?: BoardSnapshot; subitems?: BoardSnapshot; missing: string[] } = { missing: [] };
  for (const role of ['items', 'subitems'] as const) {
    const path = snapshotPath(cfg, s, env, role);
    if (!existsSync(path)) out.missing.push(path);
    else out[role] = await readSnapshot(path);
  }
  return out;
}
