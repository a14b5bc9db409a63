import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIGURATION_DOC, configurationMarkdown } from '../../scripts/docs-config.js';
import { settingsSchema } from '../../src/config/schema.js';

describe('docs/configuration.md', () => {
  it('is what `npm run docs:config` generates from the schema (not stale)', () => {
    expect(readFileSync(CONFIGURATION_DOC, 'utf8'), 'docs/configuration.md is stale: run `npm run docs:config`').toBe(configurationMarkdown());
  });

  it('documents every key with its description', () => {
    const md = configurationMarkdown();
    const s = settingsSchema.parse({});
    for (const [section, value] of Object.entries(s)) {
      if (typeof value !== 'object') continue;
      for (const key of Object.keys(value)) expect(md, `${section}.${key}`).toMatch(new RegExp(`\\| \`\\[?${section}\\.${key}\\]?\` \\|`));
    }
    expect(md).toContain('| `monday.token_env` | string | `"MONDAY_API_TOKEN"` | Environment variable holding the API token. |');
  });
});
