/**
 * The dashboard's words in English and Japanese. Keys are shared; a missing Japanese key is a type
 * error. `{name}` placeholders are filled by `translate`.
 */
import * as admin from './domains/admin.ts';
import * as alerts from './domains/alerts.ts';
import * as cash from './domains/cash.ts';
import * as collections from './domains/collections.ts';
import * as credit from './domains/credit.ts';
import * as customers from './domains/customers.ts';
import * as data from './domains/data.ts';
import * as dunning from './domains/dunning.ts';
import * as explorer from './domains/explorer.ts';
import * as forecast from './domains/forecast.ts';
import * as ledger from './domains/ledger.ts';
import * as risk from './domains/risk.ts';

const shell = {
  'app.title': 'ARLens',
  'nav.overview': 'Overview',
  'nav.credit': 'Credit policy',
  'nav.explore': 'Explorer',
  'nav.customers': 'Customers',
  'nav.collections': 'Collections',
  'nav.risk': 'Risk',
  'nav.data': 'Data',
  'nav.users': 'Users',
  'nav.cash': 'Cash application',
  'nav.alerts': 'Alerts',
  'nav.main': 'Main',
  'nav.signout': 'Sign out',
  'nav.language': '日本語',
  'role.cfo': 'CFO',
  'role.sales_lead': 'Sales lead',
  'role.analyst': 'Analyst',
  'role.collector': 'Credit controller',
  'role.admin': 'Administrator',
  'role.credit_manager': 'Credit manager',
  'signin.title': 'Sign in to ARLens',
  'signin.intro':
    'On the demo data only: pick a role to look around, no password. A sales lead sees only their region; a credit controller only their portfolio.',
  'signin.role': 'Role',
  'signin.region': 'Region (sales lead)',
  'signin.portfolio': 'Portfolio (credit controller)',
  'signin.submit': 'Sign in',
  'signin.needRegion': 'Choose the region a sales lead is responsible for.',
  'signin.needPortfolio': 'Choose the credit controller whose portfolio to work.',
  'signin.unknownRegion': 'There is no region "{region}" in the data. Choose a region from the list.',
  'signin.unknownPortfolio':
    'No customer has "{portfolio}" as credit controller. Choose a portfolio from the list.',
  'signin.username': 'User name',
  'signin.password': 'Password',
  'signin.invalid': 'Wrong user name or password.',
  'signin.locked':
    'Too many failed sign-ins for this account. Try again in {minutes} min, or ask an administrator to reset the password.',
  'signin.addressLimited': 'Too many failed sign-ins from your address. Try again in {minutes} min.',
  'signin.disabled': 'This account is disabled. Ask an administrator to enable it.',
  'signin.oidc': 'Sign in with {provider}',
  'signin.oidcUnknown':
    'Your single sign-on account ({email}) has no ARLens user. Ask an administrator to add you with this email.',
  'signin.oidcDone': 'Signed in. Opening ARLens…',
  'signin.oidcContinue': 'Continue',
  'signin.oidcRefused':
    'Single sign-on did not sign you in: the sign-in expired or was started elsewhere, or your ARLens account is disabled. Try again, or ask an administrator.',
  'signin.help': 'No account yet? An administrator adds you (npx arlens users add).',
  'signin.demoHeading': 'Demo users',
  'signin.demoSubmit': 'Sign in as a demo user',
  'signin.demoOff': 'This server does not offer demo users: sign in with your account.',
  'error.forbidden.title': 'Not available to your role',
  'error.forbidden.text': 'Signed in as {role}, you cannot open this page. Your pages:',
  'error.notFound.title': 'Page not found',
  'error.notFound.text': 'There is no page at this address. Your pages:',
  'error.other.title': 'This page could not be shown',
  'error.other.text':
    'Something went wrong on the server (error {status}). Reload the page; if it keeps failing, give your administrator this reference from the server log: {id}.',
  'error.signinAgain': 'Sign in with another role',
  'filters.label': 'Filters',
  'filters.region': 'Region',
  'filters.productLine': 'Product line',
  'filters.currency': 'Currency',
  'filters.from': 'From',
  'filters.to': 'To',
  'filters.all': 'All',
  'filters.reset': 'Reset filters',
  'state.loading': 'Loading…',
  'state.empty': 'No data for these filters. Widen the date range or clear a filter.',
  'state.error':
    'This could not be loaded: {message}. Reload the page; if it persists, check the server log.',
  'state.noWarehouse': 'No data is loaded yet. Run `npm start` (demo data) or `npx arlens ingest <folder>`.',
  'overview.title': 'Overview',
  'overview.subtitle': 'Receivables, collection speed and bad debt, month by month.',
  'kpi.total_ar': 'AR',
  'kpi.overdue_ratio': 'Overdue',
  'kpi.dso': 'DSO',
  'kpi.best_possible_dso': 'Best-possible DSO',
  'kpi.cei': 'CEI',
  'kpi.bad_debt_rate': 'Bad-debt rate',
  'kpi.vsPrevious': 'vs {month}',
  'kpi.noPrevious': 'no previous month',
  'dso.title': 'DSO trend',
  'dso.standard': 'Standard',
  'dso.countback': 'Countback',
  'dso.method': 'DSO method',
  'dso.target': 'Target',
  'dso.targetDays': 'Target (days)',
  'dso.bestPossible': 'Best possible',
  'aging.title': 'Aging at month end',
  'aging.current': 'Current',
  'aging.range': '{from}–{to} days',
  'aging.over': 'Over {days} days',
  'topOverdue.title': 'Top overdue customers',
  'table.customer': 'Customer',
  'table.region': 'Region',
  'table.overdue': 'Overdue',
  'table.openAr': 'Open AR',
  'unit.days': '{value} days',
  'data.title': 'Data',
  'pager.label': 'Pages',
  'pager.previous': 'Previous',
  'pager.next': 'Next',
  'pager.pageOf': 'Page {page} of {pages}',
  'pager.pastEnd': 'This page is past the end of the list. Go back to the first page.',
  'member.unassigned': '(unassigned)',
  'nav.skip': 'Skip to content',
  'asOf.label': 'As of {date} ({source})',
  'asOf.source.set': 'set for this build',
  'asOf.source.last document date': 'last document date',
  'asOf.source.today (no documents)': 'today: no documents yet',
} as const;

/** Every page's words: the shell's here, each domain's in ./domains/<domain>.ts. */
export const en = {
  ...shell,
  ...explorer.en,
  ...customers.en,
  ...collections.en,
  ...dunning.en,
  ...credit.en,
  ...risk.en,
  ...forecast.en,
  ...data.en,
  ...ledger.en,
  ...admin.en,
  ...cash.en,
  ...alerts.en,
};

export type MessageKey = keyof typeof en;

const shellJa: Record<keyof typeof shell, string> = {
  'app.title': 'ARLens',
  'nav.overview': '概要',
  'nav.credit': '与信方針',
  'nav.explore': 'エクスプローラー',
  'nav.customers': '得意先',
  'nav.collections': '回収',
  'nav.risk': 'リスク',
  'nav.data': 'データ',
  'nav.users': 'ユーザー',
  'nav.cash': '入金消込',
  'nav.alerts': 'アラート',
  'nav.main': 'メイン',
  'nav.signout': 'サインアウト',
  'nav.language': 'English',
  'role.cfo': 'CFO',
  'role.sales_lead': '営業責任者',
  'role.analyst': 'アナリスト',
  'role.collector': '債権管理担当',
  'role.admin': '管理者',
  'role.credit_manager': '与信管理責任者',
  'signin.title': 'ARLens にサインイン',
  'signin.intro':
    'デモデータでのみ使えます：ロールを選ぶとパスワードなしで試せます。営業責任者は担当地域のみ、債権管理担当は担当先のみ表示されます。',
  'signin.role': 'ロール',
  'signin.region': '地域（営業責任者）',
  'signin.portfolio': '担当（債権管理担当）',
  'signin.submit': 'サインイン',
  'signin.needRegion': '営業責任者の担当地域を選んでください。',
  'signin.needPortfolio': '担当する債権管理担当者を選んでください。',
  'signin.unknownRegion': 'データに地域「{region}」はありません。一覧から選んでください。',
  'signin.unknownPortfolio':
    '債権管理担当が「{portfolio}」の得意先はありません。一覧から担当を選んでください。',
  'signin.username': 'ユーザー名',
  'signin.password': 'パスワード',
  'signin.invalid': 'ユーザー名またはパスワードが違います。',
  'signin.locked':
    'このアカウントはサインインの失敗が多すぎます。{minutes} 分後にもう一度試すか、管理者にパスワードの再設定を依頼してください。',
  'signin.addressLimited':
    'お使いのアドレスからのサインインの失敗が多すぎます。{minutes} 分後にもう一度試してください。',
  'signin.disabled': 'このアカウントは無効になっています。管理者に有効化を依頼してください。',
  'signin.oidc': '{provider} でサインイン',
  'signin.oidcUnknown':
    'シングルサインオンのアカウント（{email}）に対応する ARLens ユーザーがいません。このメールアドレスでの追加を管理者に依頼してください。',
  'signin.oidcDone': 'サインインしました。ARLens を開いています…',
  'signin.oidcContinue': '続ける',
  'signin.oidcRefused':
    'シングルサインオンでサインインできませんでした。サインインの有効期限切れか別の画面で開始されたか、ARLens アカウントが無効になっています。もう一度試すか、管理者に問い合わせてください。',
  'signin.help': 'アカウントがない場合は、管理者に追加を依頼してください（npx arlens users add）。',
  'signin.demoHeading': 'デモユーザー',
  'signin.demoSubmit': 'デモユーザーでサインイン',
  'signin.demoOff': 'このサーバーではデモユーザーは使えません。ご自身のアカウントでサインインしてください。',
  'error.forbidden.title': 'このロールでは表示できません',
  'error.forbidden.text': '{role}としてサインインしているため、このページは開けません。開けるページ：',
  'error.notFound.title': 'ページが見つかりません',
  'error.notFound.text': 'このアドレスのページはありません。開けるページ：',
  'error.other.title': 'このページを表示できませんでした',
  'error.other.text':
    'サーバーで問題が発生しました（エラー {status}）。再読み込みしても続く場合は、サーバーログの参照番号 {id} を管理者に伝えてください。',
  'error.signinAgain': '別のロールでサインイン',
  'filters.label': '絞り込み',
  'filters.region': '地域',
  'filters.productLine': '製品ライン',
  'filters.currency': '通貨',
  'filters.from': '開始',
  'filters.to': '終了',
  'filters.all': 'すべて',
  'filters.reset': '絞り込みを解除',
  'state.loading': '読み込み中…',
  'state.empty': 'この条件のデータはありません。期間を広げるか、絞り込みを解除してください。',
  'state.error':
    '読み込めませんでした：{message}。再読み込みしても続く場合はサーバーログを確認してください。',
  'state.noWarehouse':
    'データがまだ読み込まれていません。`npm start`（デモデータ）または `npx arlens ingest <フォルダ>` を実行してください。',
  'overview.title': '概要',
  'overview.subtitle': '売掛金、回収スピード、貸倒れを月次で。',
  'kpi.total_ar': '売掛金残高',
  'kpi.overdue_ratio': '延滞比率',
  'kpi.dso': 'DSO',
  'kpi.best_possible_dso': '最良DSO',
  'kpi.cei': '回収効率（CEI）',
  'kpi.bad_debt_rate': '貸倒率',
  'kpi.vsPrevious': '{month} 比',
  'kpi.noPrevious': '前月なし',
  'dso.title': 'DSO の推移',
  'dso.standard': '標準',
  'dso.countback': 'カウントバック',
  'dso.method': 'DSO の計算方法',
  'dso.target': '目標',
  'dso.targetDays': '目標（日）',
  'dso.bestPossible': '最良DSO',
  'aging.title': '月末時点のエイジング',
  'aging.current': '期日前',
  'aging.range': '{from}～{to}日',
  'aging.over': '{days}日超',
  'topOverdue.title': '延滞額の多い得意先',
  'table.customer': '得意先',
  'table.region': '地域',
  'table.overdue': '延滞額',
  'table.openAr': '売掛金残高',
  'unit.days': '{value} 日',
  'data.title': 'データ',
  'pager.label': 'ページ',
  'pager.previous': '前へ',
  'pager.next': '次へ',
  'pager.pageOf': '{page} / {pages} ページ',
  'pager.pastEnd': 'このページは一覧の範囲外です。最初のページに戻ってください。',
  'member.unassigned': '(未割当)',
  'nav.skip': '本文へ移動',
  'asOf.label': '{date} 時点（{source}）',
  'asOf.source.set': 'ビルド時に指定',
  'asOf.source.last document date': '最終伝票日',
  'asOf.source.today (no documents)': '本日：伝票なし',
};

export const ja: Record<MessageKey, string> = {
  ...shellJa,
  ...explorer.ja,
  ...customers.ja,
  ...collections.ja,
  ...dunning.ja,
  ...credit.ja,
  ...risk.ja,
  ...forecast.ja,
  ...data.ja,
  ...ledger.ja,
  ...admin.ja,
  ...cash.ja,
  ...alerts.ja,
};

export type Lang = 'en' | 'ja';
export const LANGS: readonly Lang[] = ['en', 'ja'];

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const messages: Record<MessageKey, string> = lang === 'ja' ? ja : en;
  return (key, params = {}) =>
    messages[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

/**
 * Words for a code the data carries (`t(prefix + code)`) when that message exists, else the code
 * itself: a code the dashboard does not know (an ERP's own outcome) is shown as exported.
 */
export function labelOr(t: Translate, prefix: string, code: string | null): string {
  if (code === null) return '';
  const key = `${prefix}${code}`;
  return key in en ? t(key as MessageKey) : code;
}

/**
 * The member the marts put where an export left an optional dimension empty (region, country,
 * segment, industry, salesperson, credit controller, product line; models/macros/kpis.sql). Queries
 * and URLs keep it as it is; people read it in their language (`memberText`).
 */
export const UNASSIGNED = '(unassigned)';

/** A dimension member for people: (unassigned) in the user's language, any other value as stored. */
export function memberText(t: Translate, value: string): string;
export function memberText(t: Translate, value: string | null): string | null;
export function memberText(t: Translate, value: string | null): string | null {
  return value === UNASSIGNED ? t('member.unassigned') : value;
}

/** The language from the cookie, else from Accept-Language ('ja…' first → Japanese), else English. */
export function pickLang(cookie: string | undefined, acceptLanguage: string | null): Lang {
  if (cookie === 'ja' || cookie === 'en') return cookie;
  const first = acceptLanguage?.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('ja') ? 'ja' : 'en';
}

export function locale(lang: Lang): string {
  return lang === 'ja' ? 'ja-JP' : 'en-US';
}
