/**
 * Names and words: company names in each country's style (with Japanese names in kanji and romaji),
 * the two hostile names that test rendering safety downstream, and collectors' notes in four languages.
 */
import type { ACTIVITY_OUTCOMES } from '../contract.ts';
import type { SeededRandom, Weights } from '../../core/random.ts';
import type { Region } from './world.ts';

type ActivityOutcome = (typeof ACTIVITY_OUTCOMES)[number];

/** What a note's language depends on. */
interface NoteTaker {
  readonly country: string;
  readonly region: Region;
}

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

export const HOSTILE_NAMES = [
  'Acme <script>alert(1)</script> GmbH',
  '=HYPERLINK("http://example.invalid","x") Ltd',
];

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

/** A company name in the country's style, not yet `taken`. */
export function makeName(rng: SeededRandom, country: string, taken: Set<string>): string {
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

/** A collector's note on a contact, in the customer's language; often none. */
export function note(rng: SeededRandom, c: NoteTaker, outcome: ActivityOutcome): string {
  if (outcome === 'no_answer' || !rng.chance(0.35)) return '';
  if (c.country === 'JP') return rng.pick(NOTES_JA);
  if (c.country === 'BR') return rng.chance(0.7) ? rng.pick(NOTES_PT) : rng.pick(NOTES_EN);
  if (c.region === 'LATAM') return rng.chance(0.7) ? rng.pick(NOTES_ES) : rng.pick(NOTES_EN);
  return rng.pick(NOTES_EN);
}
