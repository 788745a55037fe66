export { renderMarkdown } from './markdown.js';
export { renderText, type TextOptions } from './text.js';
export { renderJson } from './json.js';
