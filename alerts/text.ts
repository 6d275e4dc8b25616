/**
 * What an alert says, in English and Japanese: one wording for the bell, the Alerts page and the
 * email. Alerts store facts (evaluate.ts), not sentences, so a Japanese reader sees Japanese even for
 * an alert raised by a build that ran in English. Pure (no Node imports).
 */
import type { AlertFacts } from './evaluate.ts';
import type { AlertKind, Delivery } from './rules.ts';

export type Lang = 'en' | 'ja';

const BANDS: Readonly<Record<string, { en: string; ja: string }>> = {
  low: { en: 'low', ja: '低' },
  medium: { en: 'medium', ja: '中' },
  high: { en: 'high', ja: '高' },
  'very high': { en: 'very high', ja: '非常に高い' },
  'in default': { en: 'in default', ja: 'デフォルト' },
};

const band = (b: string | undefined, lang: Lang) => (b === undefined ? '?' : (BANDS[b]?.[lang] ?? b));

function number(n: number | null | undefined, lang: Lang, digits = 2): string {
  if (n === null || n === undefined) return lang === 'ja' ? '不明' : 'unknown';
  return new Intl.NumberFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { maximumFractionDigits: digits }).format(
    n,
  );
}

function money(amount: string | undefined, currency: string | undefined, lang: Lang): string {
  if (amount === undefined) return '?';
  try {
    return new Intl.NumberFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', {
      style: 'currency',
      currency: currency ?? 'XXX',
    }).format(amount as unknown as number);
  } catch {
    return `${amount} ${currency ?? ''}`.trim();
  }
}

const who = (f: AlertFacts) => f.customerName ?? '?';

/** One line that says what happened, in `lang`. */
export function alertText(kind: AlertKind, f: AlertFacts, lang: Lang): string {
  const ja = lang === 'ja';
  switch (kind) {
    case 'overdue_share':
      return ja
        ? `${who(f)}：延滞額が債権残高の${number(f.value, lang)}%（しきい値 ${f.threshold}%）`
        : `${who(f)}: ${number(f.value, lang)}% of the open AR is overdue (threshold ${f.threshold}%)`;
    case 'days_past_due':
      return ja
        ? `${who(f)}：最も古い請求書が支払期日を${number(f.value, lang, 0)}日超過（しきい値 ${f.threshold}日）`
        : `${who(f)}: the oldest open invoice is ${number(f.value, lang, 0)} days past due (threshold ${f.threshold} days)`;
    case 'utilisation':
      return ja
        ? `${who(f)}：与信枠の使用率が${number(f.value, lang)}%（しきい値 ${f.threshold}%）`
        : `${who(f)}: credit utilisation is ${number(f.value, lang)}% of the limit (threshold ${f.threshold}%)`;
    case 'risk_band':
      return ja
        ? `${who(f)}：リスク区分が「${band(f.previousBand, lang)}」から「${band(f.band, lang)}」に悪化`
        : `${who(f)}: risk band worsened from ${band(f.previousBand, lang)} to ${band(f.band, lang)}`;
    case 'broken_promise':
      return ja
        ? `${who(f)}：${f.promisedDate ?? '?'}の支払約束（${money(f.amount, f.currency, lang)}）が守られませんでした`
        : `${who(f)}: the promise to pay ${money(f.amount, f.currency, lang)} by ${f.promisedDate ?? '?'} was broken`;
    case 'region_dso':
      return ja
        ? `${f.region ?? '?'}：${f.month?.slice(0, 7) ?? '?'}のDSOが${number(f.value, lang)}日（目標 ${f.threshold}日）`
        : `${f.region ?? '?'}: DSO for ${f.month?.slice(0, 7) ?? '?'} is ${number(f.value, lang)} days (target ${f.threshold} days)`;
  }
}

/** The condition a subscription watches, for its list. */
export function subscriptionText(
  s: { kind: AlertKind; threshold: string | null; customerId: string | null; region: string | null },
  lang: Lang,
): string {
  const ja = lang === 'ja';
  const t = s.threshold;
  const base = {
    overdue_share: ja ? `延滞額の割合が${t}%を超える` : `Overdue share above ${t}%`,
    days_past_due: ja ? `支払期日超過が${t}日を超える` : `Days past due above ${t}`,
    utilisation: ja ? `与信枠の使用率が${t}%を超える` : `Credit utilisation above ${t}%`,
    risk_band: ja ? 'リスク区分の悪化' : 'Risk band worsens',
    broken_promise: ja ? '支払約束の不履行' : 'A promise to pay is broken',
    region_dso: ja ? `地域のDSOが目標${t}日を超える` : `Region DSO above its target of ${t} days`,
  }[s.kind];
  const where = [
    s.customerId ? (ja ? `顧客 ${s.customerId}` : `customer ${s.customerId}`) : null,
    s.region ? (ja ? `地域 ${s.region}` : `region ${s.region}`) : null,
  ].filter((x) => x !== null);
  return where.length > 0 ? `${base} (${where.join(', ')})` : base;
}

export function deliveryText(d: Delivery, lang: Lang): string {
  const ja = lang === 'ja';
  return {
    app: ja ? 'アプリ内のみ' : 'In the app',
    immediate: ja ? 'すぐにメール' : 'Email at once',
    digest: ja ? '毎日のまとめメール' : 'Daily digest email',
  }[d];
}
