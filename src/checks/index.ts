export { postRunCheck, type CheckRecord } from './activity.js';
export { runProof, verifyBoard, type BoardCheck, type VerifyResult } from './verify.js';
