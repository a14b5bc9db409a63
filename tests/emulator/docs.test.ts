import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildEmulatorSchema } from '../../src/emulator/schema.js';
import { realMondaySdl, repoRoot } from '../support/reference.js';

const doc = readFileSync(resolve(repoRoot, 'docs', 'emulator.md'), 'utf8');
const examples = [...doc.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
const realSdl = realMondaySdl();

describe('docs/emulator.md examples', () => {
  it('has GraphQL examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
  });

  it('validate against the real monday.com SDL', () => {
    const real = buildSchema(realSdl);
    for (const example of examples) expect(validate(real, parse(example)).map((e) => e.message)).toEqual([]);
  });

  it('validate against the emulator schema', () => {
    const ours = buildEmulatorSchema();
    for (const example of examples) expect(validate(ours, parse(example)).map((e) => e.message)).toEqual([]);
  });
});
