export { postRunCheck, type CheckRecord } from './activity.js';
export { formatDoctor, runDoctor, type DoctorReport } from './doctor.js';
export { validateConfig } from './validate.js';
export { runProof, verifyBoard, type BoardCheck, type VerifyResult } from './verify.js';
