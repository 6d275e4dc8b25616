/**
 * Deterministic demo data: three years of ERP exports in ARLens's canonical CSV layout
 * (one `<entity>.csv` per contract entity, contract field names and order, ISO dates, '.' decimals,
 * RFC 4180 quoting, UTF-8 without BOM, `\n` line endings).
 *
 * The same options always produce byte-identical files: randomness comes from seeded sfc32 streams,
 * dates are integer day numbers (days since 1970-01-01) formatted by a pure function, money is kept in
 * integer minor units (cents; JPY amounts are whole yen), and nothing reads the clock or the time zone.
 * Rows are streamed to disk in ~2 MB chunks, so a million invoices need little memory: only the
 * customers and the not-yet-dated events of recent invoices (payments, memos, write-offs, disputes,
 * collection contacts, waiting in a per-day queue so their document numbers run in date order) are
 * held.
 *
 * The story planted in the data (also returned, with concrete dates, in `DemoSummary.story`):
 *
 * 1. LATAM's DSO worsens over the last three quarters: from asOf − 270 days, LATAM customers'
 *    payment delay (relative to due date) drifts upward linearly, reaching about +38 days at asOf.
 *    Late invoices stay open longer, so LATAM's overdue AR and DSO rise too.
 * 2. Spare Parts bad-debt spike: a cohort of Spare-Parts-heavy distributors in EMEA and LATAM
 *    (≈1.2% of customers, at least 3) get into trouble about 13 months before asOf. They stop
 *    paying invoices due after their distress date and are put on credit hold (blocked, some
 *    blacklisted) a few months later. Their invoices are written off 181–270 days past due when that
 *    date is ≤ asOf — which lands in the last two quarters — and the rest stay open, deeply overdue.
 *    A low background of write-offs elsewhere comes from rare chronic non-payers.
 * 3. Seasonality: quarter-end months are ~35% heavier with a push in the last days of each quarter,
 *    August and 20–31 December are light, weekends nearly empty, and volume grows ~12% a year.
 *
 * Behaviour around the story: per-customer lateness profiles (early, on time, late, chronic; Southern
 * Europe and LATAM slower, Japan punctual), Subscriptions paid fastest (many by direct debit on the
 * due date), Services disputed most (~10%), disputed invoices paid after resolution, ~40% of resolved
 * disputes settled with a credit memo, ~8% of paid invoices settled in two partial payments, a few
 * batch payers whose payment runs cover several invoices, a dunning ladder of collection activities
 * with kept and broken promises to pay, open sales orders, daily FX rates as a seeded random walk,
 * some customers near or over their credit limit, Japanese customer names, and exactly two hostile
 * customer names (`<script>` and a `=HYPERLINK(...)` formula) to exercise rendering safety downstream.
 *
 * Knobs (`DemoOptions`): `seed` (any number), `invoices` (history size; customers ≈ invoices / 25,
 * at least 40, at most 50,000), `asOf` (last day of the three-year history; nothing is dated after
 * it except due, promised and requested-delivery dates), `outDir`, `reportingCurrency` (target of the
 * FX rates, default USD), `onProgress`.
 */
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import {
  CONTRACT,
  CURRENCIES,
  ENTITY_NAMES,
  type ACTIVITY_OUTCOMES,
  type ACTIVITY_TYPES,
  type CUSTOMER_STATUSES,
  type DISPUTE_STATUSES,
  type EntityName,
  type PAYMENT_METHODS,
  type SALES_ORDER_STATUSES,
} from '../contract.ts';
import {
  addMonths,
  civilFromDays,
  firstOfMonth,
  formatDay,
  isWeekend,
  lastOfMonth,
  parseDay,
  weekday,
  weekdayOnOrAfter,
} from '../../core/calendar.ts';
import { csvField } from '../../core/csv.ts';
import { SCHEMES, SeededRandom, type Weights } from '../../core/random.ts';

export interface DemoOptions {
  /** Any finite number; its integer part seeds the generator. Same options, same bytes. */
  seed: number;
  /** Invoices over the three years (1 to 20,000,000); everything else scales with it. */
  invoices: number;
  /** YYYY-MM-DD, last day of history. */
  asOf: string;
  /** Created if missing; `<entity>.csv` files in it are overwritten. */
  outDir: string;
  /** Currency the FX rates convert to; default 'USD'. */
  reportingCurrency?: string;
  /** Called about every 1% of invoices, and with (total, total) once the files are closed. */
  onProgress?: (done: number, total: number) => void;
}

export interface DemoSummary {
  outDir: string;
  seed: number;
  /** Rows written per entity (header excluded). */
  counts: Record<EntityName, number>;
  /** First and last day of history (asOf). */
  dateRange: { from: string; to: string };
  reportingCurrency: string;
  /** Document currencies used by customers. */
  currencies: string[];
  /** The planted patterns, with their concrete dates and sizes. */
  story: string[];
}

type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];
type PaymentMethod = (typeof PAYMENT_METHODS)[number];
type DisputeStatus = (typeof DISPUTE_STATUSES)[number];
type ActivityType = (typeof ACTIVITY_TYPES)[number];
type ActivityOutcome = (typeof ACTIVITY_OUTCOMES)[number];
type SalesOrderStatus = (typeof SALES_ORDER_STATUSES)[number];

// ---------------------------------------------------------------------------------------------
// Reference data.

type Region = 'EMEA' | 'North America' | 'LATAM' | 'APAC';

interface CountryInfo {
  readonly region: Region;
  readonly currency: string;
  /** Share of the region's customers. */
  readonly weight: number;
  /** Country-level lateness in days, added to every customer profile. */
  readonly lateness: number;
  readonly terms: Readonly<Record<number, number>>;
}

const REGIONS: Weights<Region> = { EMEA: 35, 'North America': 30, LATAM: 15, APAC: 20 };

const COUNTRIES: Readonly<Record<string, CountryInfo>> = {
  DE: { region: 'EMEA', currency: 'EUR', weight: 30, lateness: -1, terms: { 30: 80, 45: 10, 60: 10 } },
  FR: { region: 'EMEA', currency: 'EUR', weight: 20, lateness: 6, terms: { 30: 50, 45: 25, 60: 25 } },
  GB: { region: 'EMEA', currency: 'GBP', weight: 22, lateness: 3, terms: { 30: 85, 45: 5, 60: 10 } },
  NL: { region: 'EMEA', currency: 'EUR', weight: 13, lateness: 0, terms: { 30: 85, 45: 10, 60: 5 } },
  IT: { region: 'EMEA', currency: 'EUR', weight: 15, lateness: 9, terms: { 30: 40, 60: 45, 45: 15 } },
  US: { region: 'North America', currency: 'USD', weight: 82, lateness: 2, terms: { 30: 85, 45: 8, 60: 7 } },
  CA: { region: 'North America', currency: 'USD', weight: 18, lateness: 2, terms: { 30: 85, 45: 10, 60: 5 } },
  BR: { region: 'LATAM', currency: 'USD', weight: 45, lateness: 6, terms: { 30: 70, 45: 15, 60: 15 } },
  MX: { region: 'LATAM', currency: 'USD', weight: 35, lateness: 5, terms: { 30: 75, 45: 15, 60: 10 } },
  CL: { region: 'LATAM', currency: 'USD', weight: 20, lateness: 4, terms: { 30: 75, 45: 15, 60: 10 } },
  JP: { region: 'APAC', currency: 'JPY', weight: 45, lateness: -1, terms: { 60: 60, 30: 30, 45: 10 } },
  SG: { region: 'APAC', currency: 'SGD', weight: 25, lateness: 2, terms: { 30: 85, 45: 10, 60: 5 } },
  AU: { region: 'APAC', currency: 'AUD', weight: 30, lateness: 3, terms: { 30: 85, 45: 10, 60: 5 } },
};
const countryWeights = (region: Region): Weights<string> =>
  Object.fromEntries(
    Object.entries(COUNTRIES).flatMap(([k, c]) => (c.region === region ? [[k, c.weight]] : [])),
  );

/** USD per unit, around which the FX random walk moves; also used to price documents locally. */
const FX_LEVEL: Readonly<Record<string, number>> = {
  USD: 1,
  EUR: 1.08,
  GBP: 1.27,
  JPY: 0.0068,
  SGD: 0.74,
  AUD: 0.66,
  CHF: 1.12,
  CAD: 0.73,
  CNY: 0.138,
  SEK: 0.095,
};

const PRODUCT_LINES = ['Hardware', 'Software Licences', 'Services', 'Spare Parts', 'Subscriptions'] as const;
const SPARE_PARTS = 3;
const SUBSCRIPTIONS = 4;

interface LineInfo {
  /** Median invoice in USD for a mid-market customer, and lognormal sigma. */
  readonly median: number;
  readonly sigma: number;
  /** Extra days late on average. */
  readonly lateness: number;
  readonly disputeRate: number;
  readonly disputeReasons: Weights<string>;
  readonly shipped: boolean;
}

const LINES: readonly LineInfo[] = [
  {
    median: 9000,
    sigma: 0.9,
    lateness: 0,
    disputeRate: 0.04,
    disputeReasons: { not_received: 35, quantity: 30, quality: 20, pricing: 15 },
    shipped: true,
  },
  {
    median: 14000,
    sigma: 1.0,
    lateness: 1,
    disputeRate: 0.03,
    disputeReasons: { pricing: 60, quantity: 30, quality: 10 },
    shipped: false,
  },
  {
    median: 5500,
    sigma: 0.8,
    lateness: 4,
    disputeRate: 0.1,
    disputeReasons: { quality: 45, pricing: 35, quantity: 20 },
    shipped: false,
  },
  {
    median: 900,
    sigma: 0.8,
    lateness: 1,
    disputeRate: 0.035,
    disputeReasons: { quantity: 35, not_received: 30, quality: 25, pricing: 10 },
    shipped: true,
  },
  {
    median: 1800,
    sigma: 0.6,
    lateness: -2,
    disputeRate: 0.015,
    disputeReasons: { pricing: 70, quantity: 30 },
    shipped: false,
  },
];

const INDUSTRY_MIX: Readonly<Record<string, readonly number[]>> = {
  // Hardware, Software Licences, Services, Spare Parts, Subscriptions
  Manufacturing: [35, 10, 15, 35, 5],
  Retail: [25, 20, 15, 5, 35],
  Healthcare: [30, 15, 30, 5, 20],
  Construction: [35, 5, 20, 40, 0],
  Technology: [10, 35, 20, 0, 35],
  Logistics: [25, 10, 15, 30, 20],
  Energy: [25, 10, 30, 30, 5],
};
const INDUSTRIES = Object.keys(INDUSTRY_MIX);

type Segment = 'Enterprise' | 'Mid-market' | 'SMB';
const SEGMENTS: Weights<Segment> = { Enterprise: 10, 'Mid-market': 30, SMB: 60 };
const SEGMENT_SIZE: Readonly<Record<Segment, number>> = { Enterprise: 3, 'Mid-market': 1, SMB: 0.35 };
const SEGMENT_VOLUME: Readonly<Record<Segment, number>> = { Enterprise: 8, 'Mid-market': 2.5, SMB: 1 };

const SALESPEOPLE: Readonly<Record<string, readonly string[]>> = {
  EMEA: ['Anna Schmidt', 'Luca Romano', 'Claire Martin', 'James Whitfield', 'Pieter de Boer'],
  'North America': ['Michael Chen', 'Sarah Johnson', 'David Miller', 'Ashley Brooks'],
  LATAM: ['Carlos Mendoza', 'Fernanda Souza', 'Javier Ortega'],
  JP: ['佐藤 健', '鈴木 美咲'],
  APAC: ['Priya Nair', 'Oliver Grant'],
};
const CONTROLLERS: Readonly<Record<string, readonly string[]>> = {
  EMEA: ['Katrin Vogel', 'Sophie Laurent'],
  'North America': ['Emily Carter', 'Marcus Reed'],
  LATAM: ['Lucía Fernández', 'Rafael Lima'],
  JP: ['山本 由美'],
  APAC: ['Daniel Tan'],
};

interface NameStyle {
  readonly names: readonly string[];
  readonly places: readonly string[];
  readonly sectors: readonly string[];
  readonly suffixes: Weights<string>;
  readonly templates: readonly ((n: string, n2: string, p: string, s: string) => string)[];
  readonly cities: readonly string[];
  /** Suffix joined without a space (Japanese), or placed before the core (株式会社…). */
  readonly japanese?: boolean;
}

/** A word list written as 'a|b|c'. */
const list = (words: string): readonly string[] => words.split('|');

const NAME_STYLES: Readonly<Record<string, NameStyle>> = {
  DE: {
    names: list('Müller|Schneider|Fischer|Weber|Becker|Hoffmann|Schäfer|Koch|Richter|Klein'),
    places: list('Rhein|Elbe|Nord|Süd|Alpen|Hansa|Ruhr|Main|Isar|Weser|Harz|Spree'),
    sectors: list(
      'Maschinenbau|Logistik|Antriebstechnik|Elektrotechnik|Medizintechnik|Stahlbau|Systemtechnik|Kunststofftechnik|Automation|Energietechnik',
    ),
    suffixes: { GmbH: 60, 'GmbH & Co. KG': 25, AG: 10, KG: 5 },
    templates: [(n, _n2, _p, s) => `${n} ${s}`, (_n, _n2, p, s) => `${p}-${s}`, (n, n2) => `${n} & ${n2}`],
    cities: ['Hamburg', 'München', 'Köln', 'Stuttgart', 'Leipzig', 'Dortmund', 'Bremen', 'Nürnberg'],
  },
  FR: {
    names: list('Dupont|Lefèvre|Moreau|Laurent|Girard|Bonnet|Mercier|Lambert|Fontaine|Rousseau'),
    places: ['Rhône', 'Loire', 'Provence', 'Bretagne', 'Alsace', 'Normandie', 'Aquitaine', 'Savoie'],
    sectors: list('Industrie|Équipements|Logistique|Santé|Bâtiment|Énergie|Technologies|Mécanique'),
    suffixes: { SAS: 60, SA: 20, SARL: 20 },
    templates: [
      (_n, _n2, p, s) => `${s} ${p}`,
      (n, _n2, _p, s) => `${n} ${s}`,
      (n) => `Groupe ${n}`,
      (n) => `Atelier ${n}`,
    ],
    cities: ['Lyon', 'Lille', 'Nantes', 'Toulouse', 'Bordeaux', 'Marseille', 'Rennes'],
  },
  GB: {
    names: ['Whitfield', 'Ashford', 'Bramley', 'Harrow', 'Kingsley', 'Pemberton', 'Hargreaves', 'Fairbairn'],
    places: list('Thames|Pennine|Cotswold|Mersey|Severn|Chiltern|Albion|Wessex|Caledonian'),
    sectors: list('Engineering|Logistics|Healthcare|Building Services|Retail|Technologies|Components'),
    suffixes: { Ltd: 70, Limited: 20, plc: 10 },
    templates: [(_n, _n2, p, s) => `${p} ${s}`, (n, _n2, _p, s) => `${n} ${s}`, (n) => `${n} & Sons`],
    cities: ['Leeds', 'Bristol', 'Glasgow', 'Sheffield', 'Coventry', 'Reading', 'Derby'],
  },
  NL: {
    names: ['Van der Berg', 'De Vries', 'Jansen', 'Bakker', 'Visser', 'Smit', 'Meijer', 'De Jong', 'Mulder'],
    places: ['Delta', 'Noord', 'Holland', 'Zeeland', 'Rijn', 'Maas', 'Amstel', 'Veluwe'],
    sectors: ['Techniek', 'Logistiek', 'Installatie', 'Handel', 'Bouw', 'Zorg', 'Energie', 'Systemen'],
    suffixes: { 'B.V.': 90, 'N.V.': 10 },
    templates: [(n, _n2, _p, s) => `${n} ${s}`, (_n, _n2, p, s) => `${p} ${s}`],
    cities: ['Rotterdam', 'Utrecht', 'Eindhoven', 'Groningen', 'Tilburg', 'Breda'],
  },
  IT: {
    names: ['Rossi', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco', 'Bruno', 'Gallo', 'Conti'],
    places: ['Adriatica', 'Padana', 'Tirrenica', 'Lombarda', 'Veneta', 'Toscana', 'Emiliana'],
    sectors: ['Meccanica', 'Impianti', 'Logistica', 'Costruzioni', 'Elettronica', 'Forniture', 'Tecnologie'],
    suffixes: { 'S.r.l.': 60, 'S.p.A.': 40 },
    templates: [(n, _n2, _p, s) => `${s} ${n}`, (_n, _n2, p, s) => `${s} ${p}`, (n, n2) => `${n} & ${n2}`],
    cities: ['Milano', 'Torino', 'Bologna', 'Verona', 'Brescia', 'Bergamo', 'Padova'],
  },
  US: {
    names: list('Summit|Lakeside|Redwood|Pioneer|Granite|Cascade|Keystone|Frontier|Evergreen'),
    places: list('Bluewater|Ironbridge|Prairie|Harbor|Silverline|Meridian|Highland|Copperfield'),
    sectors: list(
      'Industrial Supply|Medical Systems|Logistics|Construction|Energy Services|Technologies|Machine Works|Data Systems|Freight',
    ),
    suffixes: { ', Inc.': 45, ' LLC': 35, ' Corp.': 20 },
    templates: [(n, _n2, _p, s) => `${n} ${s}`, (_n, _n2, p, s) => `${p} ${s}`, (n, _n2, p) => `${n} & ${p}`],
    cities: ['Ohio', 'Texas', 'Denver', 'Atlanta', 'Phoenix', 'Boston', 'Tampa', 'Omaha'],
  },
  CA: {
    names: list('Maple Ridge|Northern Shield|Laurentian|Great Lakes|Fraser Valley|Boreal|Niagara'),
    places: ['Atlantic', 'Yukon', 'Prairie Wind', 'Rocky Mountain', 'Ottawa Valley', 'Huron'],
    sectors: ['Construction', 'Logistics', 'Health Services', 'Technologies', 'Equipment', 'Energy'],
    suffixes: { ' Ltd.': 50, ' Inc.': 40, ' Corp.': 10 },
    templates: [(n, _n2, _p, s) => `${n} ${s}`, (_n, _n2, p, s) => `${p} ${s}`],
    cities: ['Ontario', 'Québec', 'Calgary', 'Winnipeg', 'Halifax'],
  },
  BR: {
    names: ['Paulista', 'Carioca', 'São Jorge', 'Mineira', 'Gaúcha', 'Nordeste', 'Jequitibá', 'Araucária'],
    places: ['Pantanal', 'Cerrado', 'Atlântica', 'Paraná', 'Tietê', 'Guanabara'],
    sectors: list(
      'Indústria de Peças|Comércio de Máquinas|Logística|Construtora|Tecnologia|Distribuidora|Serviços Médicos',
    ),
    suffixes: { 'Ltda.': 75, 'S.A.': 25 },
    templates: [(n, _n2, _p, s) => `${s} ${n}`, (_n, _n2, p, s) => `${s} ${p}`],
    cities: ['Campinas', 'Curitiba', 'Recife', 'Manaus', 'Santos', 'Goiânia'],
  },
  MX: {
    names: list('del Norte|Azteca|del Bajío|Peninsular|del Pacífico|Sierra Madre|Anáhuac|Maya'),
    places: ['Tolteca', 'Regiomontana', 'Jalisciense', 'del Golfo', 'Poblana', 'Querétaro'],
    sectors: list(
      'Grupo Industrial|Distribuidora|Constructora|Logística|Servicios Médicos|Comercializadora|Tecnología',
    ),
    suffixes: { 'S.A. de C.V.': 85, 'S. de R.L. de C.V.': 15 },
    templates: [(n, _n2, _p, s) => `${s} ${n}`, (_n, _n2, p, s) => `${s} ${p}`],
    cities: ['Monterrey', 'Guadalajara', 'Puebla', 'Tijuana', 'León', 'Mérida'],
  },
  CL: {
    names: ['Andes', 'Pacífico', 'Atacama', 'Austral', 'Cordillera', 'Maipo', 'Biobío', 'Patagonia'],
    places: ['Magallanes', 'Aconcagua', 'Araucanía', 'Valparaíso', 'Los Lagos'],
    sectors: ['Minería', 'Comercial', 'Constructora', 'Logística', 'Tecnología', 'Servicios Industriales'],
    suffixes: { SpA: 50, 'S.A.': 30, 'Ltda.': 20 },
    templates: [(n, _n2, _p, s) => `${s} ${n}`, (_n, _n2, p, s) => `${s} ${p}`],
    cities: ['Antofagasta', 'Concepción', 'Temuco', 'Iquique', 'Rancagua'],
  },
  JP: {
    names: list('山田|田中|佐藤|鈴木|高橋|伊藤|渡辺|中村|小林|加藤|吉田|松本|井上'),
    places: list('東京|大阪|名古屋|横浜|京都|神戸|北陸|九州|東北|関西|中部|信州'),
    sectors: list('製作所|精密工業|工業|電機|商事|物産|化学工業|機械|産業|技研|電子|運輸|建設|精機|金属'),
    suffixes: { 株式会社: 92, 有限会社: 8 },
    templates: [(n, _n2, _p, s) => `${n}${s}`, (_n, _n2, p, s) => `${p}${s}`],
    cities: ['第二', '西日本', '東日本', 'ホールディングス'],
    japanese: true,
  },
  SG: {
    names: ['Lion City', 'Straits', 'Marina Bay', 'Orchard', 'Jurong', 'Tanjong', 'Kallang', 'Changi'],
    places: ['Serangoon', 'Bukit', 'Pasir', 'Tampines', 'Keppel Bay'],
    sectors: list('Logistics|Engineering|Trading|Technologies|Healthcare|Marine Services|Electronics'),
    suffixes: { 'Pte. Ltd.': 100 },
    templates: [(n, _n2, _p, s) => `${n} ${s}`, (_n, _n2, p, s) => `${p} ${s}`],
    cities: ['Asia', 'Global', 'International', 'Holdings'],
  },
  AU: {
    names: list('Southern Cross|Coral Coast|Red Centre|Murray|Outback|Blue Mountains|Kimberley'),
    places: ['Tasman', 'Eureka', 'Sunshine', 'Gold Coast', 'Pilbara', 'Hunter Valley'],
    sectors: ['Mining Services', 'Constructions', 'Logistics', 'Healthcare', 'Technologies', 'Engineering'],
    suffixes: { 'Pty Ltd': 100 },
    templates: [(n, _n2, _p, s) => `${n} ${s}`, (_n, _n2, p, s) => `${p} ${s}`],
    cities: ['Perth', 'Brisbane', 'Adelaide', 'Darwin', 'Hobart', 'Geelong'],
  },
};

const ROMAJI_NAMES = list('Yamada|Tanaka|Sato|Suzuki|Takahashi|Ito|Watanabe|Nakamura|Kobayashi');
const ROMAJI_SECTORS = list('Seisakusho|Seimitsu Kogyo|Kogyo|Denki|Shoji|Bussan|Kikai|Giken');

const HOSTILE_NAMES = ['Acme <script>alert(1)</script> GmbH', '=HYPERLINK("http://example.invalid","x") Ltd'];

const NOTES_EN = list(
  'Left voicemail for AP|AP says invoice is in the approval workflow|Customer asked for a copy of the invoice, resent|Payment scheduled in next payment run|Spoke to controller, "cash is tight this month"|Remittance advice requested|PO number missing on invoice, customer to check',
);
const NOTES_JA = list(
  '経理担当者不在、折り返し依頼|支払予定日を確認しました|請求書の再発行を依頼されました|月末締め翌月末払いとの回答|担当者より「社内承認待ち」との連絡',
);
const NOTES_ES = [
  'Cliente solicita prórroga de 15 días',
  'Pago programado, pendiente de aprobación',
  'Sin respuesta',
];
const NOTES_PT = ['Pagamento agendado, aguardando aprovação', 'Cliente pediu segunda via do boleto'];

const MEMO_REASONS: Weights<string> = {
  'price adjustment': 35,
  'returned goods': 25,
  'volume rebate': 20,
  'damaged in transit': 20,
};

// ---------------------------------------------------------------------------------------------
// CSV output.

/** Minor units (cents) to a decimal string with exactly two fraction digits. */
function money(cents: number): string {
  const units = Math.floor(cents / 100);
  const rest = cents - units * 100;
  return units + (rest < 10 ? '.0' : '.') + rest;
}

const CHUNK_BYTES = 1024 * 1024;

/**
 * One CSV file. Rows are encoded straight into a 1 MB buffer (so row strings die young and the heap
 * stays small), full buffers are handed to the file stream, and `drain()` waits while the stream is
 * behind (backpressure).
 */
class CsvSink {
  count = 0;
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private pos = 0;
  private readonly stream: WriteStream;
  private error: Error | undefined;

  constructor(dir: string, entity: EntityName, layout: readonly string[]) {
    const header = CONTRACT[entity].fields.map((f) => f.name);
    if (header.join(',') !== layout.join(',')) {
      throw new Error(
        `Demo generator is out of date with the contract for ${entity}: ` +
          `writes ${layout.join(',')} but the contract has ${header.join(',')}.`,
      );
    }
    this.stream = createWriteStream(join(dir, `${entity}.csv`), { highWaterMark: 4 * CHUNK_BYTES });
    this.stream.on('error', (e) => (this.error = e));
    this.line(header.join(','));
  }

  row(line: string): void {
    this.line(line);
    this.count++;
  }

  private line(line: string): void {
    const worst = line.length * 3 + 1; // UTF-8 bytes per UTF-16 unit ≤ 3
    if (this.pos + worst > CHUNK_BYTES) {
      this.handOff();
      if (worst > CHUNK_BYTES) {
        this.stream.write(line + '\n');
        return;
      }
    }
    this.pos += this.chunk.write(line, this.pos);
    this.chunk[this.pos++] = 10;
  }

  private handOff(): void {
    if (this.pos === 0) return;
    this.stream.write(this.chunk.subarray(0, this.pos));
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.pos = 0;
  }

  /** Wait while the file stream holds more than its high-water mark. */
  async drain(): Promise<void> {
    if (this.error) throw this.error;
    if (this.stream.writableNeedDrain) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.handOff();
    this.stream.end();
    await finished(this.stream);
    if (this.error) throw this.error;
  }

  destroy(): void {
    this.stream.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Model.

type Profile = 'early' | 'normal' | 'late' | 'chronic';

interface Customer {
  readonly idx: number;
  readonly id: string;
  name: string;
  readonly region: Region;
  readonly country: string;
  readonly currency: string;
  /** Local currency units per USD. */
  readonly perUsd: number;
  segment: Segment;
  readonly industry: string;
  readonly salesperson: string;
  readonly controller: string;
  readonly terms: number;
  status: CustomerStatus;
  profile: Profile;
  baseLateness: number;
  latenessSd: number;
  /** Cumulative product-line weights. */
  lineCum: number[];
  primaryLine: number;
  volume: number;
  activeFrom: number;
  activeUntil: number;
  cohort: boolean;
  distressDay: number;
  /** Share of invoices never paid (chronic non-payers). */
  nonPayRate: number;
  readonly directDebit: boolean;
  readonly method: PaymentMethod;
  /** 0 = pays invoice by invoice, 1..5 = weekly payment run on that weekday, 7 = month-end run. */
  readonly paymentRun: number;
  readonly reminders: boolean;
  hostile: boolean;
  /** Open AR at asOf, cents. */
  open: number;
  billedLastYear: number;
  billedTotal: number;
  batch: Map<number, PaymentEvent> | undefined;
}

interface PaymentEvent {
  readonly k: 0;
  readonly c: Customer;
  readonly day: number;
  readonly method: PaymentMethod;
  readonly invoices: string[];
  readonly amounts: number[];
  total: number;
}
interface MemoEvent {
  readonly k: 1;
  readonly c: Customer;
  readonly day: number;
  readonly invoice: string;
  readonly amount: number;
  readonly reason: string;
}
interface WriteOffEvent {
  readonly k: 2;
  readonly c: Customer;
  readonly day: number;
  readonly invoice: string;
  readonly amount: number;
  readonly reason: string;
}
interface DisputeEvent {
  readonly k: 3;
  readonly c: Customer;
  readonly day: number;
  readonly invoice: string;
  readonly resolved: number;
  readonly amount: number;
  readonly reason: string;
  readonly status: DisputeStatus;
}
interface ActivityEvent {
  readonly k: 4;
  readonly c: Customer;
  readonly day: number;
  readonly invoice: string;
  readonly type: ActivityType;
  readonly outcome: ActivityOutcome;
  readonly promised: number;
  readonly promisedAmount: number;
  readonly note: string;
}
type DemoEvent = PaymentEvent | MemoEvent | WriteOffEvent | DisputeEvent | ActivityEvent;

const LAYOUT: Readonly<Record<EntityName, readonly string[]>> = {
  customers: list(
    'customer_id|customer_name|region|country|segment|industry|salesperson|credit_controller|credit_limit|payment_terms_days|currency|status',
  ),
  invoices: list(
    'invoice_id|customer_id|issue_date|due_date|amount|currency|product_line|sales_order_id|shipment_batch|salesperson',
  ),
  payments: ['receipt_id', 'customer_id', 'payment_date', 'amount', 'currency', 'method', 'bank_reference'],
  payment_applications: ['receipt_id', 'invoice_id', 'applied_date', 'applied_amount'],
  credit_memos: ['credit_memo_id', 'customer_id', 'invoice_id', 'memo_date', 'amount', 'currency', 'reason'],
  write_offs: ['write_off_id', 'invoice_id', 'customer_id', 'write_off_date', 'amount', 'currency', 'reason'],
  disputes: list(
    'dispute_id|invoice_id|customer_id|opened_date|resolved_date|disputed_amount|currency|reason|status',
  ),
  collection_activities: list(
    'activity_id|customer_id|invoice_id|activity_date|activity_type|owner|outcome|promised_date|promised_amount|currency|note',
  ),
  sales_orders: list(
    'sales_order_id|customer_id|order_date|requested_delivery_date|open_amount|currency|product_line|status',
  ),
  fx_rates: ['rate_date', 'from_currency', 'to_currency', 'rate'],
};

const LATAM_DRIFT_DAYS = 270;
const LATAM_DRIFT_MAX = 38;
const DISTRESS_BEFORE_AS_OF = 395;

const id = (prefix: string, n: number, width: number): string => prefix + String(n).padStart(width, '0');

// ---------------------------------------------------------------------------------------------

export async function generateDemo(o: DemoOptions): Promise<DemoSummary> {
  const seed = o.seed;
  if (!Number.isFinite(seed)) throw new Error(`Demo seed must be a finite number, got ${String(seed)}.`);
  if (!Number.isInteger(o.invoices) || o.invoices < 1 || o.invoices > 20_000_000) {
    throw new Error(
      `Demo invoice count must be a whole number from 1 to 20,000,000, got ${String(o.invoices)}.`,
    );
  }
  const asOf = parseDay(o.asOf);
  const reporting = (o.reportingCurrency ?? 'USD').toUpperCase();
  if (!CURRENCIES.has(reporting) || FX_LEVEL[reporting] === undefined) {
    throw new Error(
      `Demo reporting currency "${reporting}" is not supported; use one of ${Object.keys(FX_LEVEL).join(', ')}.`,
    );
  }
  const start = addMonths(asOf, -36) + 1;
  const span = asOf - start + 1;
  const total = o.invoices;

  mkdirSync(o.outDir, { recursive: true });
  const sinks = {} as Record<EntityName, CsvSink>;
  const opened: CsvSink[] = [];
  try {
    for (const e of ENTITY_NAMES) {
      sinks[e] = new CsvSink(o.outDir, e, LAYOUT[e]);
      opened.push(sinks[e]);
    }
  } catch (err) {
    for (const s of opened) s.destroy();
    throw err;
  }
  const drain = async (): Promise<void> => {
    for (const s of opened) await s.drain();
  };

  // Date strings for the whole history plus a margin either side (future due/promised dates).
  const cacheFrom = start - 30;
  const cache: string[] = [];
  for (let d = cacheFrom; d <= asOf + 400; d++) cache.push(formatDay(d));
  const fmt = (d: number): string => cache[d - cacheFrom] ?? formatDay(d);

  try {
    // ---- FX rates -----------------------------------------------------------------------------
    const customerRng = new SeededRandom(seed, 1, SCHEMES.demo);
    const fxRng = new SeededRandom(seed, 2, SCHEMES.demo);
    const invoiceRng = new SeededRandom(seed, 3, SCHEMES.demo);
    const eventRng = new SeededRandom(seed, 4, SCHEMES.demo);
    const orderRng = new SeededRandom(seed, 5, SCHEMES.demo);

    const customers = makeCustomers(customerRng, total, start, asOf);
    const usedCurrencies = [...new Set(customers.map((c) => c.currency))].sort();
    const fxFrom = usedCurrencies.filter((c) => c !== reporting);
    const walkCurrencies = [...new Set([...fxFrom, reporting])].filter((c) => c !== 'USD').sort();
    {
      const logLevel = new Map(walkCurrencies.map((c) => [c, Math.log(FX_LEVEL[c] as number)]));
      const x = new Map(walkCurrencies.map((c) => [c, (logLevel.get(c) as number) + 0.03 * fxRng.normal()]));
      const usd = (c: string): number => (c === 'USD' ? 1 : Math.exp(x.get(c) as number));
      const fx = sinks.fx_rates;
      for (let d = start; d <= asOf; d++) {
        if (!isWeekend(d)) {
          for (const c of walkCurrencies) {
            const sd = c === 'JPY' ? 0.0055 : 0.0045;
            const cur = x.get(c) as number;
            x.set(c, cur + 0.004 * ((logLevel.get(c) as number) - cur) + sd * fxRng.normal());
          }
        }
        const rd = fmt(d);
        for (const c of fxFrom) {
          const rate = Math.round((usd(c) / usd(reporting)) * 1e8) / 1e8;
          fx.row(`${rd},${c},${reporting},${rate.toFixed(8)}`);
        }
      }
      await drain();
    }

    // ---- Invoices and everything that follows from them --------------------------------------
    // Customer choice: cumulative volume weights.
    const cum = new Float64Array(customers.length);
    {
      let acc = 0;
      customers.forEach((c, i) => {
        acc += c.volume;
        cum[i] = acc;
      });
    }
    const volumeTotal = cum[cum.length - 1] as number;
    const chooseCustomer = (day: number): Customer => {
      for (let tries = 0; tries < 30; tries++) {
        const u = invoiceRng.next() * volumeTotal;
        let lo = 0;
        let hi = cum.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if ((cum[mid] as number) > u) hi = mid;
          else lo = mid + 1;
        }
        const c = customers[lo] as Customer;
        if (day >= c.activeFrom && day <= c.activeUntil) return c;
      }
      const from = invoiceRng.intBetween(0, customers.length - 1);
      for (let k = 0; k < customers.length; k++) {
        const c = customers[(from + k) % customers.length] as Customer;
        if (day >= c.activeFrom && day <= c.activeUntil) return c;
      }
      return customers[from] as Customer;
    };

    // Issue days: stratified draws from the seasonal day weights, so they come out in date order.
    const dayCum = new Float64Array(span);
    {
      let acc = 0;
      for (let k = 0; k < span; k++) {
        acc += dayWeight(start + k, start);
        dayCum[k] = acc;
      }
    }
    const dayTotal = dayCum[span - 1] as number;
    let dayPtr = 0;

    // Per-day queue of dated events (all ≤ asOf); flushed once no later invoice can add to a day.
    const queue: (DemoEvent[] | undefined)[] = new Array<DemoEvent[] | undefined>(span + 1);
    let flushedThrough = start;
    const push = (e: DemoEvent): void => {
      const k = e.day - start;
      (queue[k] ??= []).push(e);
    };
    const counters = { rcpt: 0, cm: 0, wo: 0, dsp: 0, act: 0 };
    const flushThrough = (day: number): void => {
      const last = Math.min(day, asOf);
      for (let d = flushedThrough + 1; d <= last; d++) {
        const k = d - start;
        const events = queue[k];
        if (events !== undefined) {
          for (const e of events) writeEvent(e);
          queue[k] = undefined;
        }
      }
      if (last > flushedThrough) flushedThrough = last;
    };
    const writeEvent = (e: DemoEvent): void => {
      const c = e.c;
      const d = fmt(e.day);
      switch (e.k) {
        case 0: {
          const rcpt = id('RCPT-', ++counters.rcpt, 7);
          const ref = bankReference(eventRng, e, rcpt);
          sinks.payments.row(
            `${rcpt},${c.id},${d},${money(e.total)},${c.currency},${e.method},${csvField(ref)}`,
          );
          for (let i = 0; i < e.invoices.length; i++) {
            sinks.payment_applications.row(`${rcpt},${e.invoices[i]},${d},${money(e.amounts[i] as number)}`);
          }
          c.batch?.delete(e.day);
          break;
        }
        case 1:
          sinks.credit_memos.row(
            `${id('CM-', ++counters.cm, 7)},${c.id},${e.invoice},${d},${money(e.amount)},${c.currency},${e.reason}`,
          );
          break;
        case 2:
          sinks.write_offs.row(
            `${id('WO-', ++counters.wo, 6)},${e.invoice},${c.id},${d},${money(e.amount)},${c.currency},${e.reason}`,
          );
          break;
        case 3:
          sinks.disputes.row(
            `${id('DSP-', ++counters.dsp, 6)},${e.invoice},${c.id},${d},${e.resolved > 0 ? fmt(e.resolved) : ''},` +
              `${money(e.amount)},${c.currency},${e.reason},${e.status}`,
          );
          break;
        case 4:
          sinks.collection_activities.row(
            `${id('ACT-', ++counters.act, 8)},${c.id},${e.invoice},${d},${e.type},${csvField(c.controller)},` +
              `${e.outcome},${e.promised > 0 ? fmt(e.promised) : ''},` +
              `${e.promisedAmount > 0 ? money(e.promisedAmount) : ''},${e.promisedAmount > 0 ? c.currency : ''},` +
              `${csvField(e.note)}`,
          );
          break;
      }
    };

    const driftStart = asOf - LATAM_DRIFT_DAYS;
    const lastYear = asOf - 365;
    const progressEvery = Math.max(1, Math.floor(total / 100));
    let soCounter = 2_000_000;
    let shipCounter = 0;
    let cohortWriteOffs = 0;
    let otherWriteOffs = 0;
    let partialPayments = 0;
    let mergedPayments = 0;

    for (let i = 0; i < total; i++) {
      // Issue day (non-decreasing in i).
      const u = ((i + invoiceRng.next()) / total) * dayTotal;
      while (dayPtr < span - 1 && (dayCum[dayPtr] as number) <= u) dayPtr++;
      const issue = start + dayPtr;
      if (issue > flushedThrough) flushThrough(issue);

      const c = chooseCustomer(issue);
      const line = pickLine(invoiceRng, c.lineCum);
      const info = LINES[line] as LineInfo;
      const invoiceId = id('INV-', i + 1, 7);
      const due = issue + c.terms;
      const amount = invoiceAmount(invoiceRng, info, c);
      const soId = invoiceRng.chance(0.85) ? id('SO-', ++soCounter, 7) : '';
      let batch = '';
      if (info.shipped)
        batch = `SHP-${fmt(issue).replaceAll('-', '')}-${String((++shipCounter % 997) + 1).padStart(3, '0')}`;
      sinks.invoices.row(
        `${invoiceId},${c.id},${fmt(issue)},${fmt(due)},${money(amount)},${c.currency},${PRODUCT_LINES[line]},` +
          `${soId},${batch},${csvField(c.salesperson)}`,
      );
      c.open += amount;
      c.billedTotal += amount;
      if (issue > lastYear) c.billedLastYear += amount;

      // -- Will it be paid? --
      let nonPay = false;
      if (c.cohort && due >= c.distressDay) nonPay = invoiceRng.chance(0.92);
      else if (c.nonPayRate > 0) nonPay = invoiceRng.chance(c.nonPayRate);
      else nonPay = invoiceRng.chance(0.0004);

      // -- Dispute --
      let memo = 0;
      let memoDay = 0;
      let memoReason = '';
      let holdUntil = 0; // payment not before this day
      let disputeOpened = 0;
      if (invoiceRng.chance(info.disputeRate)) {
        const afterDue = invoiceRng.chance(0.5);
        disputeOpened = afterDue ? due + invoiceRng.intBetween(1, 15) : issue + invoiceRng.intBetween(2, 12);
        const disputed = invoiceRng.chance(0.35) ? amount : roundTo(amount * invoiceRng.uniform(0.1, 0.9), c);
        const reason = invoiceRng.weighted(info.disputeReasons);
        const resolved = disputeOpened + Math.round(7 + 55 * invoiceRng.next() ** 1.5);
        let status: DisputeStatus = 'open';
        if (resolved <= asOf) status = invoiceRng.chance(0.78) ? 'resolved' : 'rejected';
        if (status === 'resolved' && invoiceRng.chance(0.4)) {
          memo = Math.min(disputed, roundTo(disputed * invoiceRng.uniform(0.25, 1.15), c));
          if (memo <= 0) memo = disputed;
          memoDay = resolved;
          memoReason = 'dispute settlement';
        }
        holdUntil = resolved + invoiceRng.intBetween(2, 12);
        if (disputeOpened <= asOf && disputed > 0) {
          push({
            k: 3,
            c,
            day: disputeOpened,
            invoice: invoiceId,
            resolved: status === 'open' ? 0 : resolved,
            amount: disputed,
            reason,
            status,
          });
        }
      } else if (invoiceRng.chance(0.018)) {
        memo = roundTo(amount * invoiceRng.uniform(0.02, 0.25), c);
        memoDay = issue + invoiceRng.intBetween(5, 45);
        memoReason = invoiceRng.weighted(MEMO_REASONS);
      }
      if (memo > 0 && memoDay <= asOf) {
        push({ k: 1, c, day: memoDay, invoice: invoiceId, amount: memo, reason: memoReason });
        c.open -= memo;
      }
      const payable = amount - memo;

      // -- Payment timing --
      let payDay = Infinity; // final settlement
      let partial = 0;
      let partialDay = 0;
      let woDay = Infinity;
      if (nonPay) {
        if (payable > 0 && invoiceRng.chance(0.15)) {
          partial = roundTo(payable * invoiceRng.uniform(0.1, 0.4), c);
          partialDay = weekdayOnOrAfter(due + invoiceRng.intBetween(0, 30));
          if (partial <= 0 || partial >= payable) partial = 0;
        }
        woDay = weekdayOnOrAfter(due + invoiceRng.intBetween(181, 270));
      } else if (payable > 0) {
        let late: number;
        const dd = c.directDebit && (line === SUBSCRIPTIONS || invoiceRng.chance(0.5));
        if (dd) {
          late = invoiceRng.chance(0.02) ? invoiceRng.intBetween(7, 20) : 0;
        } else {
          late = c.baseLateness + info.lateness + c.latenessSd * invoiceRng.normal();
          if (c.region === 'LATAM' && due > driftStart) {
            const f = Math.min(1, (due - driftStart) / LATAM_DRIFT_DAYS);
            late += f * LATAM_DRIFT_MAX * invoiceRng.uniform(0.6, 1.4);
          }
        }
        let p = due + Math.round(late);
        if (holdUntil > p) p = holdUntil;
        if (!dd && c.paymentRun > 0) p = snapToRun(p, c.paymentRun);
        if (p <= issue) p = issue + 1;
        payDay = weekdayOnOrAfter(p);
        if (!dd && c.paymentRun === 0 && invoiceRng.chance(0.1) && payDay - issue >= 8) {
          partialDay = weekdayOnOrAfter(payDay - invoiceRng.intBetween(7, Math.min(40, payDay - issue - 1)));
          if (partialDay < payDay) {
            partial = roundTo(payable * invoiceRng.uniform(0.3, 0.7), c);
            if (partial <= 0 || partial >= payable) partial = 0;
          }
        }
        const method = dd ? 'direct_debit' : paymentMethod(invoiceRng, c, amount);
        if (partial > 0 && partialDay <= asOf) {
          push({
            k: 0,
            c,
            day: partialDay,
            method,
            invoices: [invoiceId],
            amounts: [partial],
            total: partial,
          });
          c.open -= partial;
          partialPayments++;
        }
        if (payDay <= asOf) {
          const rest = payable - partial;
          const open = c.paymentRun > 0 && !dd ? c.batch?.get(payDay) : undefined;
          if (open !== undefined) {
            open.invoices.push(invoiceId);
            open.amounts.push(rest);
            open.total += rest;
            if (open.invoices.length === 2) mergedPayments++;
          } else {
            const e: PaymentEvent = {
              k: 0,
              c,
              day: payDay,
              method,
              invoices: [invoiceId],
              amounts: [rest],
              total: rest,
            };
            push(e);
            if (c.paymentRun > 0 && !dd) (c.batch ??= new Map()).set(payDay, e);
          }
          c.open -= rest;
        }
      }
      if (nonPay && partial > 0 && partialDay <= asOf && partialDay < woDay) {
        push({
          k: 0,
          c,
          day: partialDay,
          method: paymentMethod(invoiceRng, c, amount),
          invoices: [invoiceId],
          amounts: [partial],
          total: partial,
        });
        c.open -= partial;
        partialPayments++;
      }
      if (nonPay && woDay <= asOf) {
        const rest = payable - partial;
        if (rest > 0) {
          const reason = c.cohort
            ? invoiceRng.chance(0.6)
              ? 'insolvency'
              : 'uncollectible'
            : 'uncollectible';
          push({ k: 2, c, day: woDay, invoice: invoiceId, amount: rest, reason });
          c.open -= rest;
          if (c.cohort) cohortWriteOffs++;
          else otherWriteOffs++;
        }
      }

      // -- Collection activities while the invoice is unpaid --
      let end = Math.min(asOf, payDay - 1, woDay - 1);
      if (payable <= 0) end = Math.min(end, memoDay - 1);
      if (end > issue) {
        dunning(invoiceRng, c, {
          invoiceId,
          issue,
          due,
          end,
          payDay,
          disputeOpened,
          openAt: (t) =>
            amount -
            (memoDay > 0 && memoDay <= t ? memo : 0) -
            (partialDay > 0 && partialDay <= t ? partial : 0),
          push,
        });
      }

      if ((i + 1) % 256 === 0) await drain();
      if (o.onProgress && (i + 1) % progressEvery === 0 && i + 1 < total) o.onProgress(i + 1, total);
    }
    flushThrough(asOf);
    await drain();

    // ---- Open sales orders --------------------------------------------------------------------
    for (const c of customers) {
      if (c.status !== 'active' || c.activeUntil < asOf || !orderRng.chance(0.3)) continue;
      const n = orderRng.weightedNumber({ 1: 60, 2: 30, 3: 10 });
      for (let k = 0; k < n; k++) {
        const line = pickLine(orderRng, c.lineCum);
        const orderDay = asOf - orderRng.intBetween(0, 60);
        const full = invoiceAmount(orderRng, LINES[line] as LineInfo, c);
        const status: SalesOrderStatus = orderRng.chance(0.7) ? 'open' : 'partially_delivered';
        const openAmount = status === 'open' ? full : roundTo(full * orderRng.uniform(0.2, 0.8), c);
        sinks.sales_orders.row(
          `${id('SO-', ++soCounter, 7)},${c.id},${fmt(orderDay)},${fmt(orderDay + orderRng.intBetween(7, 60))},` +
            `${money(openAmount)},${c.currency},${PRODUCT_LINES[line]},${status}`,
        );
      }
    }

    // ---- Customer master (last: credit limits are sized from the history) ---------------------
    const limitRng = new SeededRandom(seed, 6, SCHEMES.demo);
    let nearLimit = 0;
    for (const c of customers) {
      const typical = Math.max(
        c.billedLastYear / 12,
        c.billedTotal / 36,
        1000 * 100 * c.perUsd, // at least ~1,000 USD
      );
      const exposure = typical * (c.terms / 30 + 0.5);
      let limit = '';
      if (c.status === 'blacklisted') limit = '0.00';
      else if (c.idx % 15 !== 7) {
        // Every 15th account has no credit limit set.
        let cents: number;
        if (c.open > 0.5 * exposure && limitRng.chance(0.05)) {
          cents = c.open * limitRng.uniform(0.85, 1.08);
        } else {
          cents = exposure * limitRng.uniform(1.4, 3);
        }
        cents = roundNice(cents / 100) * 100;
        if (c.open >= 0.9 * cents) nearLimit++;
        limit = money(cents);
      }
      sinks.customers.row(
        `${c.id},${csvField(c.name)},${c.region},${c.country},${c.segment},${c.industry},` +
          `${csvField(c.salesperson)},${csvField(c.controller)},${limit},${c.terms},${c.currency},${c.status}`,
      );
    }

    for (const s of opened) await s.close();
    o.onProgress?.(total, total);

    const counts = {} as Record<EntityName, number>;
    for (const e of ENTITY_NAMES) counts[e] = sinks[e].count;
    const cohort = customers.filter((c) => c.cohort);
    const distressFrom = Math.min(...cohort.map((c) => c.distressDay));
    const hostile = customers.filter((c) => c.hostile).map((c) => c.id);
    const latam = customers.filter((c) => c.region === 'LATAM').length;
    return {
      outDir: o.outDir,
      seed,
      counts,
      dateRange: { from: fmt(start), to: fmt(asOf) },
      reportingCurrency: reporting,
      currencies: usedCurrencies,
      story: [
        `LATAM DSO worsens over the last three quarters: the ${latam} LATAM customers pay later and later for ` +
          `invoices due from ${fmt(driftStart)}, reaching about +${LATAM_DRIFT_MAX} days beyond their usual ` +
          `delay by ${fmt(asOf)}; more LATAM invoices are open and overdue at the end.`,
        `Spare Parts bad-debt spike: ${cohort.length} Spare-Parts-heavy distributors in EMEA and LATAM ` +
          `stopped paying invoices due from about ${fmt(distressFrom)} and were put on credit hold; their ` +
          `invoices are written off 181–270 days past due (${cohortWriteOffs} write-offs by ${fmt(asOf)}, ` +
          `concentrated in the last two quarters); later ones are still open and deeply overdue.`,
        `Background bad debt: chronic late payers leave a few invoices unpaid; ${otherWriteOffs} write-offs ` +
          `over the three years, each 181–270 days past due.`,
        'Seasonality: quarter-end months are ~35% heavier with a push in the last days of each quarter; ' +
          'August and late December are light; volume grows ~12% a year.',
        'Payment behaviour: Subscriptions pay fastest (many by direct debit on the due date); Services are ' +
          'disputed most (~10%); disputed invoices are paid after resolution and ~40% of resolved disputes ' +
          'end in a credit memo; Southern Europe and LATAM pay slower, Japan is punctual.',
        `${partialPayments} partial payments; ${mergedPayments} payment runs settle several invoices at once; ` +
          `${nearLimit} customers are near or over their credit limit at ${fmt(asOf)}.`,
        `Rendering safety: customers ${hostile.join(' and ')} have an HTML <script> name and a ` +
          `spreadsheet-formula name (=HYPERLINK…); they must show as plain text everywhere.`,
      ],
    };
  } catch (err) {
    for (const s of opened) s.destroy();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers of the invoice loop.

function dayWeight(day: number, start: number): number {
  const [, m, d] = civilFromDays(day);
  let x = 1;
  if (m === 3 || m === 6 || m === 9 || m === 12) {
    x = 1.35;
    const monthEnd = lastOfMonth(day);
    if (monthEnd - day < 4) x *= 1.8;
  }
  if (m === 8) x *= 0.65;
  if (m === 12 && d >= 20) x = 0.35;
  if (m === 1 && d <= 2) x = 0.2;
  if (isWeekend(day)) x *= 0.06;
  return x * (1 + (0.12 * (day - start)) / 365);
}

function pickLine(rng: SeededRandom, lineCum: readonly number[]): number {
  const u = rng.next() * (lineCum[lineCum.length - 1] as number);
  for (let k = 0; k < lineCum.length; k++) if (u < (lineCum[k] as number)) return k;
  return lineCum.length - 1;
}

/** Round cents to the customer currency's smallest unit (whole yen for JPY), at least one unit. */
function roundTo(cents: number, c: Customer): number {
  const unit = c.currency === 'JPY' ? 100 : 1;
  return Math.max(unit, Math.round(cents / unit) * unit);
}

function invoiceAmount(rng: SeededRandom, info: LineInfo, c: Customer): number {
  const z = Math.max(-2.5, Math.min(2.5, rng.normal())); // heavy tail, but no single invoice dominates
  const usd = info.median * SEGMENT_SIZE[c.segment] * Math.exp(info.sigma * z);
  return roundTo(Math.max(40, usd) * c.perUsd * 100, c);
}

/** Two significant digits, e.g. 47,312 -> 47,000. */
function roundNice(units: number): number {
  if (units < 1) return 0;
  const p = Math.pow(10, Math.max(0, Math.floor(Math.log10(units)) - 1));
  return Math.round(units / p) * p;
}

function snapToRun(day: number, run: number): number {
  if (run === 7) {
    // Month-end payment run: whichever month end is nearer.
    const end = lastOfMonth(day);
    const previousEnd = firstOfMonth(day) - 1;
    return day - previousEnd < end - day ? previousEnd : end;
  }
  return day + ((run - weekday(day) + 7) % 7);
}

function paymentMethod(rng: SeededRandom, c: Customer, amount: number): PaymentMethod {
  if (rng.chance(0.9)) {
    if (c.method === 'card' && amount > 2500 * 100 * c.perUsd) return 'bank_transfer';
    return c.method;
  }
  if (c.country === 'US') return rng.weighted<PaymentMethod>({ bank_transfer: 60, check: 30, card: 10 });
  return rng.weighted<PaymentMethod>({ bank_transfer: 85, card: 10, other: 5 });
}

function bankReference(rng: SeededRandom, e: PaymentEvent, rcpt: string): string {
  const c = e.c;
  const invoices = e.invoices.join(' ');
  const r = rng.next();
  if (r < 0.08) return '';
  // Hostile names stay in customer_name only.
  const name = c.hostile ? invoices : c.name;
  switch (e.method) {
    case 'direct_debit':
      return `DD MNDT-${c.id} ${invoices}`;
    case 'check':
      return `CHK ${String(rng.intBetween(1000, 999999)).padStart(6, '0')}`;
    case 'card':
      return `CARD ****${String(rng.intBetween(0, 9999)).padStart(4, '0')} ${invoices}`;
    default:
      if (c.country === 'JP') return r < 0.6 ? `振込 ${invoices}` : `フリコミ ${c.id}`;
      if (c.currency === 'EUR') return r < 0.6 ? `SEPA CT ${invoices}` : `${name} ${invoices}`;
      if (r < 0.5) return invoices;
      if (r < 0.75) return `${name} PAYMENT`;
      return `TRF ${rcpt.slice(5)}/${String(rng.intBetween(0, 99999)).padStart(5, '0')}`;
  }
}

interface DunningInput {
  readonly invoiceId: string;
  readonly issue: number;
  readonly due: number;
  /** Last day an activity may happen (unpaid, not written off, ≤ asOf). */
  readonly end: number;
  /** Final payment day, Infinity when never paid. */
  readonly payDay: number;
  readonly disputeOpened: number;
  openAt(day: number): number;
  push(e: ActivityEvent): void;
}

function note(rng: SeededRandom, c: Customer, outcome: ActivityOutcome): string {
  if (outcome === 'no_answer' || !rng.chance(0.35)) return '';
  if (c.country === 'JP') return rng.pick(NOTES_JA);
  if (c.country === 'BR') return rng.chance(0.7) ? rng.pick(NOTES_PT) : rng.pick(NOTES_EN);
  if (c.region === 'LATAM') return rng.chance(0.7) ? rng.pick(NOTES_ES) : rng.pick(NOTES_EN);
  return rng.pick(NOTES_EN);
}

/** The dunning ladder: reminder before due, call at ~7, letter at ~30, visit/escalation at ~60 days late, … */
function dunning(rng: SeededRandom, c: Customer, x: DunningInput): void {
  const steps: [number, ActivityType, number][] = [];
  if (c.reminders) steps.push([x.due - 3, 'email', 0]);
  steps.push([x.due + 7 + rng.intBetween(0, 3), 'call', 1]);
  steps.push([x.due + 30 + rng.intBetween(0, 5), 'letter', 2]);
  steps.push([x.due + 60 + rng.intBetween(0, 7), c.segment === 'SMB' ? 'call' : 'visit', 3]);
  steps.push([x.due + 90 + rng.intBetween(0, 7), 'letter', 4]);
  for (let k = 0; k < 5; k++) steps.push([x.due + 120 + 30 * k + rng.intBetween(0, 7), 'call', 5]);
  if (x.disputeOpened > x.due) steps.push([x.disputeOpened, 'call', 6]);
  steps.sort((a, b) => a[0] - b[0]);

  let last = 0;
  for (const [planned, type, stage] of steps) {
    const day = weekdayOnOrAfter(planned);
    if (day <= x.issue || day <= last || day > x.end) continue;
    last = day;
    const open = x.openAt(day);
    if (open <= 0) continue;
    const toPay = x.payDay - day;
    let outcome: ActivityOutcome;
    if (stage === 6) outcome = 'dispute_raised';
    else if (toPay <= 3 && stage > 0) outcome = 'paid';
    else if (stage === 0)
      outcome = rng.weighted<ActivityOutcome>({ no_answer: 55, contacted: 35, promise_to_pay: 10 });
    else if (stage === 1)
      outcome = rng.weighted<ActivityOutcome>({
        no_answer: 25,
        left_message: 20,
        contacted: 20,
        promise_to_pay: 35,
      });
    else if (stage === 2)
      outcome = rng.weighted<ActivityOutcome>({ no_answer: 50, contacted: 30, promise_to_pay: 20 });
    else if (stage === 3)
      outcome =
        type === 'visit'
          ? rng.weighted<ActivityOutcome>({ promise_to_pay: 50, contacted: 30, escalated: 20 })
          : 'escalated';
    else if (stage === 4) outcome = 'escalated';
    else
      outcome = rng.weighted<ActivityOutcome>({
        no_answer: 40,
        left_message: 30,
        promise_to_pay: 20,
        escalated: 10,
      });

    let promised = 0;
    let promisedAmount = 0;
    if (outcome === 'promise_to_pay') {
      if (toPay >= 3 && toPay <= 22 && rng.chance(0.7))
        promised = Math.min(day + 20, x.payDay + rng.intBetween(0, 3));
      else promised = day + rng.intBetween(5, 20);
      promisedAmount = open;
    }
    x.push({
      k: 4,
      c,
      day,
      invoice: x.invoiceId,
      type,
      outcome,
      promised,
      promisedAmount,
      note: note(rng, c, outcome),
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Customers.

function makeName(rng: SeededRandom, country: string, taken: Set<string>): string {
  const style = NAME_STYLES[country] as NameStyle;
  const compose = (extra: string): string => {
    if (style.japanese && rng.chance(0.15)) {
      return `${rng.pick(ROMAJI_NAMES)} ${rng.pick(ROMAJI_SECTORS)}${extra ? ' ' + extra : ''} Co., Ltd.`;
    }
    const t = rng.pick(style.templates);
    const n = rng.pick(style.names);
    let n2 = rng.pick(style.names);
    if (n2 === n) n2 = style.names[(style.names.indexOf(n) + 1) % style.names.length] as string;
    const core = t(n, n2, rng.pick(style.places), rng.pick(style.sectors)) + extra;
    const suffix = rng.weighted(style.suffixes);
    if (style.japanese) return rng.chance(0.55) ? suffix + core : core + suffix;
    return suffix.startsWith(',') || suffix.startsWith(' ') ? core + suffix : `${core} ${suffix}`;
  };
  for (let tries = 0; tries < 12; tries++) {
    const name = compose('');
    if (!taken.has(name)) return name;
  }
  for (let tries = 0; tries < 12; tries++) {
    const city = rng.pick(style.cities);
    const name = compose(style.japanese ? city : ' ' + city);
    if (!taken.has(name)) return name;
  }
  for (let n = 2; ; n++) {
    const name = compose(style.japanese ? `第${n}` : ` ${n}`);
    if (!taken.has(name)) return name;
  }
}

function makeCustomers(rng: SeededRandom, invoices: number, start: number, asOf: number): Customer[] {
  const n = Math.min(50_000, Math.max(40, Math.round(invoices / 25)));
  const taken = new Set<string>();
  const customers: Customer[] = [];
  let emea = 0;
  for (let i = 0; i < n; i++) {
    const region = rng.weighted(REGIONS);
    let country = rng.weighted(countryWeights(region));
    let hostile = false;
    if (region === 'EMEA' && emea < HOSTILE_NAMES.length) {
      country = emea === 0 ? 'DE' : 'GB';
      hostile = true;
      emea++;
    }
    const info = COUNTRIES[country] as CountryInfo;
    const name = hostile ? (HOSTILE_NAMES[emea - 1] as string) : makeName(rng, country, taken);
    taken.add(name);
    const segment = rng.weighted(SEGMENTS);
    const industry = rng.pick(INDUSTRIES);
    const mix = INDUSTRY_MIX[industry] as readonly number[];
    const primaryLine = rng.index(mix);
    const team = country === 'JP' ? 'JP' : region;
    const profile = hostile
      ? 'normal'
      : rng.weighted<Profile>(
          country === 'JP'
            ? { early: 25, normal: 68, late: 6, chronic: 1 }
            : { early: 15, normal: 62, late: 17, chronic: 6 },
        );
    const perUsd = 1 / (FX_LEVEL[info.currency] as number);
    const directDebit = (region === 'EMEA' || country === 'US') && rng.chance(0.35);
    const method: PaymentMethod =
      country === 'US'
        ? rng.weighted<PaymentMethod>({ bank_transfer: 55, check: 35, card: 10 })
        : segment === 'SMB' && rng.chance(0.08)
          ? 'card'
          : 'bank_transfer';
    const paymentRun =
      country === 'JP' && rng.chance(0.4)
        ? 7
        : segment !== 'SMB' && rng.chance(0.1)
          ? rng.intBetween(1, 5)
          : 0;
    customers.push({
      idx: i,
      id: id('00', 100001 + i, 8),
      name,
      region,
      country,
      currency: info.currency,
      perUsd,
      segment,
      industry,
      salesperson: rng.pick(SALESPEOPLE[team] as readonly string[]),
      controller: rng.pick(CONTROLLERS[team] as readonly string[]),
      terms: rng.weightedNumber(info.terms),
      status: 'active',
      profile,
      baseLateness: 0,
      latenessSd: 3,
      lineCum: [],
      primaryLine,
      volume: SEGMENT_VOLUME[segment] * Math.exp(0.6 * rng.normal()),
      activeFrom: rng.chance(0.2) ? rng.intBetween(start, asOf - 120) : start,
      activeUntil: asOf,
      cohort: false,
      distressDay: 0,
      nonPayRate: 0,
      directDebit,
      method,
      paymentRun,
      reminders: rng.chance(0.45),
      hostile,
      open: 0,
      billedLastYear: 0,
      billedTotal: 0,
      batch: undefined,
    });
  }

  // Spare Parts cohort: Spare-Parts-heavy distributors in EMEA and LATAM.
  const cohortSize = Math.max(3, Math.round(0.012 * n));
  const eligible = (c: Customer): boolean => (c.region === 'EMEA' || c.region === 'LATAM') && !c.hostile;
  const candidates = rng.shuffle(customers.filter((c) => eligible(c) && c.primaryLine === SPARE_PARTS));
  if (candidates.length < cohortSize) {
    const more = rng.shuffle(customers.filter((c) => eligible(c) && c.primaryLine !== SPARE_PARTS));
    candidates.push(...more.slice(0, cohortSize - candidates.length));
  }
  for (const c of candidates.slice(0, cohortSize)) {
    c.cohort = true;
    c.primaryLine = SPARE_PARTS;
    c.activeFrom = start;
    c.profile = rng.chance(0.5) ? 'late' : 'normal';
    c.distressDay = asOf - DISTRESS_BEFORE_AS_OF + rng.intBetween(-25, 25);
    c.activeUntil = c.distressDay + rng.intBetween(110, 210);
    c.segment = rng.chance(0.3) ? 'Enterprise' : 'Mid-market';
    c.volume = SEGMENT_VOLUME[c.segment] * rng.uniform(1, 1.6);
  }

  // Statuses: blacklisted and blocked are mostly the cohort and the chronic late payers.
  const blacklistTarget = Math.max(1, Math.round(0.005 * n));
  const blockTarget = Math.max(1, Math.round(0.02 * n));
  const inactiveTarget = Math.max(1, Math.round(0.02 * n));
  const cohort = customers.filter((c) => c.cohort);
  const chronic = rng.shuffle(customers.filter((c) => c.profile === 'chronic' && !c.cohort));
  const late = rng.shuffle(customers.filter((c) => c.profile === 'late' && !c.cohort && !c.hostile));
  const others = rng.shuffle(
    customers.filter((c) => !c.cohort && !c.hostile && (c.profile === 'normal' || c.profile === 'early')),
  );
  // Cohort and chronic payers alternate at the head of the list, then the merely late payers.
  const bad: Customer[] = [];
  for (let k = 0; k < Math.max(cohort.length, chronic.length); k++) {
    if (k < cohort.length) bad.push(cohort[k] as Customer);
    if (k < chronic.length) bad.push(chronic[k] as Customer);
  }
  bad.push(...late);
  let next = 0;
  for (let k = 0; k < blacklistTarget && next < bad.length; k++)
    (bad[next++] as Customer).status = 'blacklisted';
  for (let k = 0; k < blockTarget; k++) {
    // One in six blocked accounts is an ordinary customer blocked for another reason.
    if (k % 6 === 5 && others.length > 0) (others.pop() as Customer).status = 'blocked';
    else if (next < bad.length) (bad[next++] as Customer).status = 'blocked';
  }
  for (const c of cohort) if (c.status === 'active') c.status = 'blocked';
  for (let k = 0; k < inactiveTarget && others.length > 0; k++) {
    const c = others.pop() as Customer;
    c.status = 'inactive';
    c.activeUntil = rng.intBetween(Math.min(start + 180, asOf - 150), asOf - 150);
    if (c.activeFrom > c.activeUntil - 60) c.activeFrom = start;
  }

  for (const c of customers) {
    const country = COUNTRIES[c.country] as CountryInfo;
    switch (c.profile) {
      case 'early':
        c.baseLateness = rng.uniform(-10, -1);
        c.latenessSd = 2;
        break;
      case 'normal':
        c.baseLateness = country.lateness + rng.uniform(-2, 3);
        c.latenessSd = 3;
        break;
      case 'late':
        c.baseLateness = country.lateness + rng.uniform(8, 20);
        c.latenessSd = 6;
        break;
      case 'chronic':
        c.baseLateness = rng.uniform(20, 60);
        c.latenessSd = 12;
        c.nonPayRate = c.status === 'active' ? 0.02 : 0.05;
        break;
    }
    if (!c.cohort && c.status !== 'active' && c.status !== 'inactive') {
      // Credit hold: no new invoices after the block date.
      const holdFrom =
        c.status === 'blacklisted'
          ? rng.intBetween(asOf - 500, asOf - 100)
          : rng.intBetween(asOf - 150, asOf - 10);
      c.activeUntil = Math.max(holdFrom, c.activeFrom + 60);
    }
    const mix = (INDUSTRY_MIX[c.industry] as readonly number[]).map((w) => w + 2);
    const weights = mix.map((w, k) =>
      c.cohort
        ? k === SPARE_PARTS
          ? 96
          : 1
        : k === c.primaryLine
          ? 0.6 * 100
          : (0.4 * 100 * w) / sumExcept(mix, c.primaryLine),
    );
    let acc = 0;
    c.lineCum = weights.map((w) => (acc += w));
  }
  return customers;
}

function sumExcept(xs: readonly number[], skip: number): number {
  let s = 0;
  xs.forEach((x, k) => {
    if (k !== skip) s += x;
  });
  return s;
}
