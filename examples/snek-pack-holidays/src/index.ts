export { default } from './holidays-pack.js';
