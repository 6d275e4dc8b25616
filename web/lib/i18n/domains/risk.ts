/** Words of the Risk page. Keys start with 'risk.'; the Japanese object must have every key. */
export const en = {
  'risk.title': 'Default risk',
  'risk.subtitle':
    "Each customer's probability of a write-off or an invoice 90+ days past due within 180 days, from the risk model.",
  'risk.bands': 'Risk bands',
  'risk.list': 'Customers by expected loss',
  'risk.notScored':
    'No risk scores yet. Run `npx arlens train` then `npx arlens score` (npm start does both when no model exists).',
  'risk.col.customer': 'Customer',
  'risk.col.region': 'Region',
  'risk.col.band': 'Band',
  'risk.col.pd': 'Probability of default',
  'risk.col.exposure': 'Exposure',
  'risk.col.expectedLoss': 'Expected loss',
  'risk.col.drivers': 'Main drivers',
  'risk.col.customers': 'Customers',
  'risk.model': 'Model evaluation',
  'risk.modelIntro':
    'Version {version}, tested on {from} – {to} ({rows} customer-months, {positives} defaults). The model is published only if it beats both baselines on ROC AUC.',
  'risk.published': 'Published',
  'risk.notPublished': 'Not published: it did not beat the baselines',
  'risk.noModel': 'No model has been trained on this warehouse yet: run `npx arlens train`.',
  'risk.col.model': 'Model',
  'risk.calibration': 'Calibration on the test period (deciles of predicted probability)',
  'risk.col.bin': 'Decile',
  'risk.col.rows': 'Rows',
  'risk.col.predicted': 'Mean predicted',
  'risk.col.observed': 'Observed rate',
} as const;

export const ja: Record<keyof typeof en, string> = {
  'risk.title': '貸倒リスク',
  'risk.subtitle': 'リスクモデルによる、180日以内に貸倒れまたは90日超延滞となる得意先ごとの確率。',
  'risk.bands': 'リスク区分',
  'risk.list': '予想損失の大きい得意先',
  'risk.notScored':
    'リスクスコアはまだありません。`npx arlens train` と `npx arlens score` を実行してください（モデルがない場合は npm start が両方実行します）。',
  'risk.col.customer': '得意先',
  'risk.col.region': '地域',
  'risk.col.band': '区分',
  'risk.col.pd': '貸倒確率',
  'risk.col.exposure': '与信残高',
  'risk.col.expectedLoss': '予想損失',
  'risk.col.drivers': '主な要因',
  'risk.col.customers': '得意先数',
  'risk.model': 'モデル評価',
  'risk.modelIntro':
    'バージョン {version}、テスト期間 {from} – {to}（{rows} 件の得意先・月、うち貸倒れ {positives} 件）。ROC AUC で両方のベースラインを上回った場合のみ公開します。',
  'risk.published': '公開中',
  'risk.notPublished': '未公開：ベースラインを上回りませんでした',
  'risk.noModel': 'この倉庫ではまだモデルが学習されていません：`npx arlens train` を実行してください。',
  'risk.col.model': 'モデル',
  'risk.calibration': 'テスト期間のキャリブレーション（予測確率の十分位）',
  'risk.col.bin': '十分位',
  'risk.col.rows': '件数',
  'risk.col.predicted': '予測平均',
  'risk.col.observed': '実績率',
};
