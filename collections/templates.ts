/**
 * Letter templates: the text of each reminder level and of the statement, in English and Japanese.
 * The defaults live here; a user edits a template (`arlens dunning template set`, stored in the
 * operational store, audited) and the edited text is used from the next letter on. Placeholders are
 * `{name}`; an unknown one is refused when the template is saved, never printed as-is.
 */
import { appendAudit } from '../ops/audit.ts';
import type { OpsStore } from '../ops/store.ts';
import { checkOneOf, checkText, CollectionsError, type Who } from './access.ts';
import { TEMPLATE_KEYS, type TemplateKey } from './policy.ts';

export const LETTER_TEMPLATES = [...TEMPLATE_KEYS, 'statement'] as const;
export type LetterTemplate = (typeof LETTER_TEMPLATES)[number];
export type Lang = 'en' | 'ja';

export const PLACEHOLDERS = ['customer_name', 'customer_id', 'date', 'total', 'company', 'level'] as const;

const DEFAULTS: Record<LetterTemplate, Record<Lang, string>> = {
  reminder_friendly: {
    en: 'Dear {customer_name},\n\nThis is a friendly reminder that the invoices below are due or have just become due. If you have already paid, thank you, and please disregard this letter.\n\nAmount due: {total}',
    ja: '{customer_name} 御中\n\n下記のご請求書のお支払期日が到来しております。すでにお支払いいただいている場合は、本状と行き違いになりましたことをご容赦ください。\n\nご請求金額：{total}',
  },
  reminder_mild: {
    en: 'Dear {customer_name},\n\nAccording to our records the invoices below are past due. We kindly ask you to pay the amount due within the next 7 days.\n\nAmount due: {total}',
    ja: '{customer_name} 御中\n\n弊社の記録では、下記のご請求書のお支払期日が過ぎております。7日以内にお支払いくださいますようお願い申し上げます。\n\nご請求金額：{total}',
  },
  reminder_firm: {
    en: 'Dear {customer_name},\n\nDespite our earlier reminder, the invoices below remain unpaid. Please pay the amount due immediately or contact us to agree on a payment date.\n\nAmount due: {total}',
    ja: '{customer_name} 御中\n\n先日ご案内いたしましたが、下記のご請求書が未だお支払いいただけておりません。至急お支払いいただくか、お支払日についてご連絡くださいますようお願い申し上げます。\n\nご請求金額：{total}',
  },
  final_notice: {
    en: 'Dear {customer_name},\n\nFINAL NOTICE. The invoices below are seriously overdue. Unless we receive payment within 7 days, we will hand the matter over for legal collection without further notice.\n\nAmount due: {total}',
    ja: '{customer_name} 御中\n\n最終催告。下記のご請求書のお支払いが大幅に遅延しております。7日以内にお支払いが確認できない場合、予告なく法的手続きに移行いたします。\n\nご請求金額：{total}',
  },
  statement: {
    en: 'Dear {customer_name},\n\nPlease find below your statement of account as of {date}: every open invoice, unapplied payment and credit note, with an ageing summary.\n\nBalance: {total}',
    ja: '{customer_name} 御中\n\n{date}現在の取引残高明細をお送りいたします。未決済のご請求書、未消込のご入金およびクレジットノートと年齢別残高の内訳です。\n\n残高：{total}',
  },
};

export function defaultTemplate(template: LetterTemplate, lang: Lang): string {
  return DEFAULTS[template][lang];
}

/** The template text in force: the edited one, or the default. */
export function templateText(store: OpsStore | null, template: LetterTemplate, lang: Lang): string {
  const row = store?.db
    .prepare('SELECT body FROM letter_templates WHERE template = ? AND language = ?')
    .get(template, lang) as { body: string } | undefined;
  return row?.body ?? DEFAULTS[template][lang];
}

/** Every template in force (for rendering many letters without a query each). */
export function allTemplates(store: OpsStore | null): Record<LetterTemplate, Record<Lang, string>> {
  const out = structuredClone(DEFAULTS);
  if (store) {
    for (const r of store.db.prepare('SELECT template, language, body FROM letter_templates').all() as {
      template: LetterTemplate;
      language: Lang;
      body: string;
    }[]) {
      if (out[r.template]) out[r.template][r.language] = r.body;
    }
  }
  return out;
}

const PLACEHOLDER = /\{([^{}]*)\}/g;

export function checkTemplate(body: string): void {
  for (const m of body.matchAll(PLACEHOLDER)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(m[1]!)) {
      throw new CollectionsError(
        `Unknown placeholder {${m[1]!.slice(0, 40)}}; use ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}.`,
      );
    }
  }
}

export function fill(body: string, values: Readonly<Record<(typeof PLACEHOLDERS)[number], string>>): string {
  return body.replace(PLACEHOLDER, (all, name: string) =>
    Object.hasOwn(values, name) ? values[name as keyof typeof values] : all,
  );
}

/** Save an edited template (or `null` to go back to the default). Credit managers only. */
export function setTemplate(
  store: OpsStore,
  who: Who,
  input: { template: unknown; language: unknown; body: unknown },
): void {
  if (who.role !== 'system' && who.role !== 'credit_manager') {
    throw new CollectionsError('Only a credit manager may edit letter templates.', 403);
  }
  const template = checkOneOf(input.template, LETTER_TEMPLATES, 'Template');
  const language = checkOneOf(input.language, ['en', 'ja'] as const, 'Language');
  const body = input.body === null ? null : checkText(input.body, 'Template text', 5000, true);
  if (body !== null) checkTemplate(body);
  store.write(() => {
    const before = templateText(store, template, language);
    if (body === null) {
      store.db
        .prepare('DELETE FROM letter_templates WHERE template = ? AND language = ?')
        .run(template, language);
    } else {
      store.db
        .prepare(
          `INSERT INTO letter_templates (template, language, body, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (template, language) DO UPDATE SET body = excluded.body, updated_by = excluded.updated_by,
             updated_at = excluded.updated_at`,
        )
        .run(template, language, body, who.actor.name, new Date().toISOString());
    }
    appendAudit(store, who.actor, {
      action: 'dunning.template',
      target: `template:${template}:${language}`,
      before: { body: before },
      after: { body: body ?? DEFAULTS[template][language] },
    });
  });
}

export type TemplateKeyOrStatement = TemplateKey | 'statement';
