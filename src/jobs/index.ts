export { parseCron, schedule } from './cron.js';
export { stopScope, type StopScope } from './stop.js';
