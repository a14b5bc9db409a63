import { createRequire } from 'node:module';

/** This build's version: package.json, one folder up from src/ and from dist/ alike. */
export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** API versions whose documents this build validates against monday's SDL. */
export const SUPPORTED_API_VERSIONS = ['2026-10'] as const;
