// Row hashing lives below the layers (the schema migrations re-hash rows too).
export * from '../hash.js';
