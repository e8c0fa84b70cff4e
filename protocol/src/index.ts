export * from './names.js';
export * from './events.js';
export * from './validation.js';
export * from './api.js';
export * from './show-state.js';
