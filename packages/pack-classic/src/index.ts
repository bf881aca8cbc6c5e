export { default, CLASSIC_SNEK_IDS } from './classic-pack.js';
