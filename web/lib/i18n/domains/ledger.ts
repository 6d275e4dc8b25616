/**
 * Words of the full ledger (Overview and customer page) and of missing FX rates. Keys start with
 * 'ledger.' or 'fx.'; the Japanese object must have every key.
 */
export const en = {
  'ledger.title': 'Ledger as of {date}',
  'ledger.overviewHelp':
    'Open invoices, less money received and credit notes not yet applied. Region and product-line filters apply; dates do not (the ledger is at the as-of date). Payments and credit notes not yet applied have no product line: a product-line filter leaves them out.',
  'ledger.customerHelp':
    'What the customer owes: open invoices, less their payments and credit notes not yet applied to an invoice.',
  'ledger.grossAr': 'Gross AR',
  'ledger.unappliedCash': 'Unapplied cash',
  'ledger.unallocatedCredits': 'Unallocated credits',
  'ledger.netAr': 'Net AR',
  'ledger.grossArHelp': 'Open invoices owed to us.',
  'ledger.unappliedCashHelp': 'Received, not yet applied to an invoice.',
  'ledger.unallocatedCreditsHelp': 'Credit notes not yet allocated to an invoice.',
  'ledger.netArHelp': 'Gross AR less unapplied cash and unallocated credits.',
  'ledger.customersInCredit': '{n} customers in credit',
  'ledger.customersInCreditOne': '1 customer in credit',
  'ledger.noneInCredit': 'No customer is in credit',
  'ledger.inCredit': 'In credit',
  'ledger.inCreditHelp': 'The customer has paid or been credited more than they owe.',
  'ledger.partial': 'without {n} items that have no FX rate',
  'ledger.partialOne': 'without 1 item that has no FX rate',
  'fx.unknown': 'unknown',
  'fx.unknownHelp': 'No FX rate for this currency at the as-of date: the amount in {currency} is unknown.',
  'fx.openItems':
    '{n} open items have no FX rate at the as-of date: their amounts are unknown in {currency} and left out of these totals. Load fx_rates for their currencies.',
  'fx.openItemsOne':
    '1 open item has no FX rate at the as-of date: its amount is unknown in {currency} and left out of these totals. Load fx_rates for its currency.',
  'fx.invoices':
    '{n} invoices issued in this period have no FX rate: sales, collections and the KPIs built on them leave them out. Load fx_rates for their currencies.',
  'fx.invoicesOne':
    '1 invoice issued in this period has no FX rate: sales, collections and the KPIs built on them leave it out. Load fx_rates for its currency.',
} as const;

export const ja: Record<keyof typeof en, string> = {
  'ledger.title': '{date} 時点の元帳',
  'ledger.overviewHelp':
    '未回収の請求書から、未消込の入金と未充当のクレジットノートを差し引いた残高です。地域・製品ラインの絞り込みは適用され、期間は適用されません（元帳は基準日時点）。未消込の入金と未充当のクレジットノートには製品ラインがないため、製品ラインで絞り込むと含まれません。',
  'ledger.customerHelp':
    '得意先の残高：未回収の請求書から、請求書に消し込まれていない入金とクレジットノートを差し引いた額。',
  'ledger.grossAr': '売掛金総額',
  'ledger.unappliedCash': '未消込入金',
  'ledger.unallocatedCredits': '未充当クレジット',
  'ledger.netAr': '売掛金純額',
  'ledger.grossArHelp': '未回収の請求書。',
  'ledger.unappliedCashHelp': '入金済みで請求書に未消込の額。',
  'ledger.unallocatedCreditsHelp': '請求書に未充当のクレジットノート。',
  'ledger.netArHelp': '売掛金総額から未消込入金と未充当クレジットを差し引いた額。',
  'ledger.customersInCredit': '貸方残高の得意先 {n} 社',
  'ledger.customersInCreditOne': '貸方残高の得意先 1 社',
  'ledger.noneInCredit': '貸方残高の得意先はありません',
  'ledger.inCredit': '貸方残高',
  'ledger.inCreditHelp': '請求額を超えて入金またはクレジットを受けています。',
  'ledger.partial': '為替レートのない {n} 件を除く',
  'ledger.partialOne': '為替レートのない 1 件を除く',
  'fx.unknown': '不明',
  'fx.unknownHelp': '基準日にこの通貨の為替レートがないため、{currency} 建ての金額は不明です。',
  'fx.openItems':
    '未決済の {n} 件に基準日の為替レートがありません。{currency} 建ての金額は不明で、この合計には含まれていません。該当通貨の fx_rates を読み込んでください。',
  'fx.openItemsOne':
    '未決済の 1 件に基準日の為替レートがありません。{currency} 建ての金額は不明で、この合計には含まれていません。該当通貨の fx_rates を読み込んでください。',
  'fx.invoices':
    'この期間に発行された請求書 {n} 件に為替レートがありません。売上・回収とそれに基づく KPI には含まれていません。該当通貨の fx_rates を読み込んでください。',
  'fx.invoicesOne':
    'この期間に発行された請求書 1 件に為替レートがありません。売上・回収とそれに基づく KPI には含まれていません。該当通貨の fx_rates を読み込んでください。',
};
