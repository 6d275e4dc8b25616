/**
 * A translated message whose `{name}` placeholders are shown as code (a command to run): the message
 * is split into its text and code parts, so the page renders each as text (never as markup). Pure.
 */
export type MessagePart = { readonly text: string } | { readonly code: string };

/** `template`'s parts: text, and `codes[name]` for each `{name}` it has (other braces stay text). */
export function messageParts(template: string, codes: Readonly<Record<string, string>>): MessagePart[] {
  const parts: MessagePart[] = [];
  let last = 0;
  for (const m of template.matchAll(/\{(\w+)\}/g)) {
    const code = codes[m[1] ?? ''];
    if (code === undefined) continue;
    if (m.index > last) parts.push({ text: template.slice(last, m.index) });
    parts.push({ code });
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push({ text: template.slice(last) });
  return parts;
}
