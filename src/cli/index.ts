export { exitQuietlyOnClosedPipe, main } from './main.js';
