/**
 * Text into HTML. ECharts puts what a tooltip `formatter` function returns into the page as HTML
 * (innerHTML), so every data-derived text such a function writes goes through `escapeHtml`. Svelte
 * templates escape by themselves; SVG labels, axis labels and legends are drawn as SVG text nodes.
 */
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** `text` safe to put into HTML text or a quoted attribute; null and undefined as ''. */
export function escapeHtml(text: unknown): string {
  return text === null || text === undefined ? '' : String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
