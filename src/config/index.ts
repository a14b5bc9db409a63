export { loadConfig, configPath, type ResolvedConfig, type LoadOptions, type Layer } from './load.js';
export { settingsSchema, fileSchema, type Settings } from './schema.js';
export { requireSecret, mondayApiUrl, optionalSecret, maskSecret, maskUrl } from './secrets.js';
export { assertWritable } from './guard.js';
export { resolveFromConfig } from './paths.js';
export { structuralChecks, type Finding } from './checks.js';
export { boardStarterConfig, starterConfig, STARTER_ENV, type BoardStarter } from './starter.js';
