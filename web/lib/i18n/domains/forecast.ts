/** Words of the cash forecast (Overview chart, customer page). Keys start with 'forecast.'; the Japanese object must have every key. */
export const en = {
  'forecast.title': 'Expected cash in, next 13 weeks',
  'forecast.label':
    'Cash received per week in the last 13 weeks, and the cash expected per week in the next 13 with its 80 % interval',
  'forecast.expected': 'Expected',
  'forecast.interval': '80 % interval',
  'forecast.actual': 'Received',
  'forecast.weekOf': 'week of {date}',
  'forecast.none':
    'No cash forecast to show: none is computed yet (it is at start-up, or run: npx arlens forecast), or your role sees some regions only — pick one in the region filter.',
  'forecast.accuracy': 'How far to trust it',
  'forecast.accuracyIntro':
    'Backtest at {origins} past month-ends ({from} – {to}): each method trained with only what was known then, compared with the cash that came in over the next 4 weeks.',
  'forecast.noBacktest':
    'No backtest to show: none is stored yet (run: npx arlens forecast --backtest 12), or your role sees some regions only — the backtest is of the whole portfolio.',
  'forecast.col.method': 'Method',
  'forecast.col.wape': 'Weekly error (WAPE, 4 weeks)',
  'forecast.col.bias': 'Bias',
  'forecast.coverage': 'The model’s 80 % intervals held the actual week {coverage} of the time.',
  'forecast.method.hazard_logistic': 'Payment-timing model',
  'forecast.method.customer_delay': 'Due date + customer’s average delay',
  'forecast.method.bucket_rate': 'Customer’s collection rate by age',
  'forecast.method.due_date': 'Paid on the due date',
  'forecast.regionalNote': 'Portfolio-wide backtest; shown to roles that see every region.',
  'forecast.customer.title': 'Expected payments',
  'forecast.customer.intro':
    'When each open invoice is expected to be paid: the middle of its payment-date distribution from the forecast of {date}.',
  'forecast.customer.none': 'No open invoice of this customer has a forecast.',
  'forecast.col.invoice': 'Invoice',
  'forecast.col.due': 'Due',
  'forecast.col.expectedDate': 'Expected payment',
  'forecast.col.probability': 'Paid within 13 weeks',
  'forecast.col.expectedAmount': 'Expected within 13 weeks',
  'forecast.later': 'later or never',
} as const;

export const ja: Record<keyof typeof en, string> = {
  'forecast.title': '今後13週間の入金見込み',
  'forecast.label': '過去13週間の週次入金実績と、今後13週間の週次入金見込み（80 % 区間付き）',
  'forecast.expected': '見込み',
  'forecast.interval': '80 % 区間',
  'forecast.actual': '入金実績',
  'forecast.weekOf': '{date} の週',
  'forecast.none':
    '表示できる入金見込みがありません: まだ計算されていないか（起動時に計算されます。または実行: npx arlens forecast）、ロールが一部の地域のみ閲覧できます — 地域フィルターで地域を選んでください。',
  'forecast.accuracy': '見込みの信頼度',
  'forecast.accuracyIntro':
    '過去の月末 {origins} 時点（{from} – {to}）でのバックテスト: 各手法をその時点で分かっていた情報だけで学習し、その後4週間の実際の入金と比較しました。',
  'forecast.noBacktest':
    '表示できるバックテストがありません: まだ保存されていないか（実行: npx arlens forecast --backtest 12）、ロールが一部の地域のみ閲覧できます（バックテストはポートフォリオ全体が対象です）。',
  'forecast.col.method': '手法',
  'forecast.col.wape': '週次誤差（WAPE、4週間）',
  'forecast.col.bias': 'バイアス',
  'forecast.coverage': 'モデルの 80 % 区間に実績週が収まった割合: {coverage}',
  'forecast.method.hazard_logistic': '入金タイミングモデル',
  'forecast.method.customer_delay': '支払期日 + 得意先の平均遅延',
  'forecast.method.bucket_rate': '得意先の経過期間別回収率',
  'forecast.method.due_date': '支払期日に入金',
  'forecast.regionalNote': 'ポートフォリオ全体のバックテストです。全地域を閲覧できるロールに表示されます。',
  'forecast.customer.title': '入金予定',
  'forecast.customer.intro':
    '各未決済請求書の入金予定日: {date} 時点の見込みにおける入金日分布の中央値です。',
  'forecast.customer.none': 'この得意先の未決済請求書に見込みはありません。',
  'forecast.col.invoice': '請求書',
  'forecast.col.due': '支払期日',
  'forecast.col.expectedDate': '入金予定日',
  'forecast.col.probability': '13週間以内の入金確率',
  'forecast.col.expectedAmount': '13週間以内の見込み額',
  'forecast.later': 'それ以降または未入金',
};
