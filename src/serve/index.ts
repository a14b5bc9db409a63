export { startOpsServer } from './server.js';
