import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, type GraphQLSchema } from 'graphql';

/** The monday.com API version ordersync's documents are written for (and the emulator serves). */
export const MONDAY_API_VERSION = '2026-10';

/**
 * The vendored type system of one API version: monday's published SDL with descriptions
 * stripped (scripts/vendor-monday-schema.ts). It is a data file, not compiled: the path is
 * resolved from the package root, so it is the same file from src/ (tsx, tests) and dist/.
 */
export function mondaySchemaPath(version: string = MONDAY_API_VERSION): string {
  return fileURLToPath(new URL(`../../src/monday/schema/${version}.graphql`, import.meta.url));
}

export function mondaySdl(version: string = MONDAY_API_VERSION): string {
  return readFileSync(mondaySchemaPath(version), 'utf8');
}

export function mondaySchema(version: string = MONDAY_API_VERSION): GraphQLSchema {
  return buildSchema(mondaySdl(version));
}
