export { main } from './main.js';
export { SnekClient, type SnekClientOptions } from './client.js';
export { EXIT, exitCodeFor } from './exit-codes.js';
export { terminalJson, terminalLine, terminalSafe } from './terminal.js';
