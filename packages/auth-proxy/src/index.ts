export { default } from './plugin.js';
export { DEFAULT_DISPLAY_NAME, type ProxyOptions } from './options.js';
