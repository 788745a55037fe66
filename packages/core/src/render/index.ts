export { renderMarkdown } from './markdown.js';
export { renderText, renderTextStep, type TextOptions } from './text.js';
export { renderJson } from './json.js';
