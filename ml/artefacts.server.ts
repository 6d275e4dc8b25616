/**
 * Model artefacts on disk, one folder per version:
 *
 *   <modelDir>/<version>/members/<seed>/model.json   when a network serves, one per seed:
 *   <modelDir>/<version>/members/<seed>/weights.bin  TF.js layers format, float32 weights
 *   <modelDir>/<version>/metadata.json    the serving candidate (a logistic regression's coefficients
 *                                          and the rule's column are data here), features (order,
 *                                          definitions), preprocessing, calibration,
 *                                          settings, data window, split dates, metrics, seed, backend
 *   <modelDir>/<version>/evaluation.json  the evaluation report (test and validation metrics,
 *                                          calibration tables, baselines)
 *   <modelDir>/published.json             { version, publishedAt }: the model `arlens score` uses
 *
 * A version folder is written under a temporary name and renamed into place; published.json is
 * replaced by rename too, so a reader never sees half a model.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { CalibrationMethod, Calibrator } from './calibrate.ts';
import type { RiskConfig } from './config.ts';
import {
  diffFeatures,
  featureSpec,
  sameFeatures,
  type FeatureDiff,
  type FeatureSpec,
  type Preprocessor,
} from './features.ts';
import type { LogisticModel } from './logistic.ts';
import type { AucDifference } from './metrics.ts';
import type { CandidateKind, ScoringModel } from './model.ts';
import { deserializeNetwork, type NetworkArtefacts } from './network.ts';
import type { Selection } from './select.ts';
import type { tf } from './tf.ts';

/**
 * Format 3: the serving candidate of the family (a network of several seeds in members/<name>/, a
 * logistic regression or the rule, as data) with its calibration. Formats 1 (one network at the top)
 * and 2 (an MLP and a logistic member averaged, Platt-scaled) still load, as networks.
 */
export const METADATA_FORMAT = 'arlens-risk-model/3';
const LEGACY_FORMATS = ['arlens-risk-model/1', 'arlens-risk-model/2'];

/** One network of the serving model (one per seed). */
export interface MemberMetadata {
  readonly name: string;
  /** Its model.json and weights.bin, relative to the version folder ('' = the folder itself, format 1). */
  readonly dir: string;
  readonly hidden: readonly number[];
  readonly seed: number;
  readonly epochs: number;
  readonly bestEpoch: number;
  /** ROC AUC of the member's own probabilities on the validation period (null: not recorded). */
  readonly validationAuc: number | null;
  readonly trainSeconds: number;
}

export interface SplitSummary {
  readonly from: string;
  readonly to: string;
  readonly snapshots: number;
  readonly rows: number;
  readonly positives: number;
}

/** The model that scores: which candidate, its parameters (networks: on disk), its calibration. */
export interface ServedMetadata {
  /** 'risk_mlp', 'logistic_regression' or the rule's name. */
  readonly name: string;
  readonly kind: CandidateKind;
  /** From the candidate's raw score to a PD; refitted on the most recent labelled months. */
  readonly calibration: Calibrator;
  /** The rows the calibration was fitted on. */
  readonly calibratedOn: SplitSummary;
  /** kind 'network': its seeds' networks (probabilities averaged). */
  readonly members: readonly MemberMetadata[];
  /** kind 'logistic': coefficients in the order of features.columns. */
  readonly logistic: LogisticModel | null;
  /** kind 'rule': the column (index into features.columns) and direction. */
  readonly rule: { readonly column: number; readonly sign: 1 | -1 } | null;
}

/** A candidate's headline figures, as kept in the metadata (evaluation.json has everything). */
export interface CandidateSummary {
  readonly kind: CandidateKind;
  readonly calibration: CalibrationMethod;
  readonly validation: Record<string, number | null>;
  readonly test: Record<string, number | null>;
  readonly vsRule: { readonly validation: AucDifference; readonly test: AucDifference } | null;
  readonly details: Record<string, unknown>;
}

export interface ModelMetadata {
  readonly format: typeof METADATA_FORMAT;
  readonly version: string;
  /** Every format-3 version serves a candidate ('published'); 'rejected' only in older formats. */
  readonly status: 'published' | 'rejected';
  readonly statusReason: string;
  readonly trainedAt: string;
  readonly backend: string;
  readonly seed: number;
  readonly config: RiskConfig;
  readonly data: {
    readonly asOfDate: string;
    readonly firstInvoiceDate: string;
    readonly loadWatermark: string;
    readonly lastBuildAt: string | null;
  };
  /** Snapshot dates and rows per split (training window = train.from .. train.to). */
  readonly split: {
    readonly train: SplitSummary;
    readonly validation: SplitSummary;
    readonly gap: readonly string[];
    readonly test: SplitSummary;
  };
  readonly features: {
    readonly spec: FeatureSpec;
    /** Input columns of the model, in order. */
    readonly columns: readonly string[];
    readonly preprocessor: Preprocessor;
  };
  readonly served: ServedMetadata;
  readonly selection: Selection;
  readonly candidates: Readonly<Record<string, CandidateSummary>>;
}

/** The fields of older formats that format 3 replaced. */
interface LegacyMetadata {
  readonly format: string;
  readonly seed: number;
  readonly split: ModelMetadata['split'];
  readonly ensemble?: { readonly members: readonly MemberMetadata[] };
  readonly network: { hidden: number[]; epochs: number; bestEpoch: number; trainSeconds: number };
  readonly calibration: { readonly a: number; readonly b: number };
  readonly statusReason: string;
  readonly status: 'published' | 'rejected';
}

export interface SavedModel {
  /** metadata.served.members says where each network goes. */
  readonly metadata: ModelMetadata;
  /** Per member name. */
  readonly members: Readonly<Record<string, NetworkArtefacts>>;
  readonly evaluation: unknown;
}

export function versionDir(modelDir: string, version: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(version)) throw new Error(`invalid model version ${JSON.stringify(version)}`);
  return join(modelDir, version);
}

const json = (v: unknown) =>
  JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? null : x), 2) + '\n';

export async function saveModel(modelDir: string, m: SavedModel): Promise<string> {
  return writeVersion(modelDir, m.metadata.version, m.metadata.served.members, m);
}

/** Write a version folder (networks, metadata.json, evaluation.json) under a temporary name, then rename. */
export async function writeVersion(
  modelDir: string,
  version: string,
  memberList: readonly MemberMetadata[],
  m: {
    readonly metadata: unknown;
    readonly members: Readonly<Record<string, NetworkArtefacts>>;
    readonly evaluation: unknown;
  },
): Promise<string> {
  const dir = versionDir(modelDir, version);
  const tmp = join(modelDir, `.tmp-${version}-${process.pid}`);
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.mkdir(tmp, { recursive: true });
  try {
    for (const member of memberList) {
      const network = m.members[member.name];
      if (!network) throw new Error(`internal: no network for ensemble member ${member.name}`);
      const modelJson = {
        format: 'layers-model',
        generatedBy: 'ARLens risk model (TensorFlow.js 4.22)',
        convertedBy: null,
        modelTopology: network.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: network.weightSpecs }],
      };
      const memberDir = join(tmp, member.dir);
      await fs.mkdir(memberDir, { recursive: true });
      await fs.writeFile(join(memberDir, 'model.json'), json(modelJson));
      await fs.writeFile(join(memberDir, 'weights.bin'), new Uint8Array(network.weightData));
    }
    await fs.writeFile(join(tmp, 'metadata.json'), json(m.metadata));
    await fs.writeFile(join(tmp, 'evaluation.json'), json(m.evaluation));
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(tmp, dir);
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return dir;
}

export async function publishModel(modelDir: string, version: string): Promise<void> {
  const tmp = join(modelDir, `.published-${process.pid}.json`);
  await fs.writeFile(tmp, json({ version, publishedAt: new Date().toISOString() }));
  await fs.rename(tmp, join(modelDir, 'published.json'));
}

export async function publishedVersion(modelDir: string): Promise<string | undefined> {
  try {
    const p = JSON.parse(await fs.readFile(join(modelDir, 'published.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof p.version === 'string' ? p.version : undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`Cannot read ${join(modelDir, 'published.json')}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * A format-1 model (one MLP at the top of its folder) or format-2 model (an MLP and a logistic member,
 * probabilities averaged, Platt-scaled on the logit of the mean) as a format-3 network: the same
 * members and the same Platt map on the same raw score.
 */
function fromLegacy(raw: unknown): ModelMetadata {
  const m = raw as LegacyMetadata & ModelMetadata;
  const members: readonly MemberMetadata[] = m.ensemble?.members ?? [
    {
      name: 'mlp',
      dir: '',
      hidden: m.network.hidden,
      seed: m.seed,
      epochs: m.network.epochs,
      bestEpoch: m.network.bestEpoch,
      validationAuc: null,
      trainSeconds: m.network.trainSeconds,
    },
  ];
  return {
    ...m,
    format: METADATA_FORMAT,
    served: {
      name: 'risk_mlp',
      kind: 'network',
      calibration: { method: 'platt', a: m.calibration.a, b: m.calibration.b },
      calibratedOn: m.split.validation,
      members,
      logistic: null,
      rule: null,
    },
    selection: {
      served: 'risk_mlp',
      reason: 'best',
      publishable: ['risk_mlp'],
      best: 'risk_mlp',
      bestVsServed: null,
      evidence: { defaultingCustomers: 0, needed: 0 },
    },
    candidates: {},
  };
}

export async function readMetadata(modelDir: string, version: string): Promise<ModelMetadata | undefined> {
  try {
    const m = JSON.parse(
      await fs.readFile(join(versionDir(modelDir, version), 'metadata.json'), 'utf8'),
    ) as ModelMetadata;
    if (LEGACY_FORMATS.includes(m.format as string)) return fromLegacy(m);
    if (m.format !== METADATA_FORMAT) {
      throw new Error(
        `model ${version} has metadata format ${String(m.format)}, expected ${METADATA_FORMAT}`,
      );
    }
    return m;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export class FeatureMismatchError extends Error {
  constructor(
    readonly version: string,
    readonly diff: FeatureDiff,
  ) {
    const parts = [
      diff.missing.length > 0 ? `missing from this version of ARLens: ${diff.missing.join(', ')}` : '',
      diff.extra.length > 0
        ? `new in this version of ARLens (not in the model): ${diff.extra.join(', ')}`
        : '',
      diff.changed.length > 0 ? `defined differently now: ${diff.changed.join(', ')}` : '',
      diff.reordered ? 'the features are in a different order' : '',
    ].filter((p) => p !== '');
    super(
      `The risk model ${version} was trained on other features than ARLens builds now (${parts.join('; ')}). ` +
        'Retrain it with: arlens train',
    );
    this.name = 'FeatureMismatchError';
  }
}

/** Throws FeatureMismatchError when the model's features are not the ones this code builds. */
export function checkFeatures(m: ModelMetadata, code: FeatureSpec = featureSpec()): void {
  const diff = diffFeatures(m.features.spec, code);
  if (!sameFeatures(diff)) throw new FeatureMismatchError(m.version, diff);
}

export interface LoadedModel {
  readonly metadata: ModelMetadata;
  /** The serving candidate, ready to score (networks loaded). */
  readonly scoring: ScoringModel;
}

export function disposeModel(m: LoadedModel): void {
  if (m.scoring.kind === 'network') for (const n of m.scoring.members) n.dispose();
}

/** The scoring model a metadata describes, given its loaded networks (kind 'network'). */
export function scoringModel(served: ServedMetadata, networks: readonly tf.LayersModel[]): ScoringModel {
  switch (served.kind) {
    case 'network':
      if (networks.length === 0) throw new Error('a network model needs at least one member');
      return { kind: 'network', members: networks };
    case 'logistic':
      if (!served.logistic) throw new Error('the model metadata has no logistic-regression coefficients');
      return { kind: 'logistic', ...served.logistic };
    case 'rule':
      if (!served.rule) throw new Error('the model metadata has no rule column');
      return { kind: 'rule', ...served.rule };
  }
}

async function loadMember(dir: string, version: string, member: MemberMetadata): Promise<tf.LayersModel> {
  const memberDir = join(dir, member.dir);
  const modelJson = JSON.parse(await fs.readFile(join(memberDir, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const manifest = modelJson.weightsManifest[0];
  if (!manifest || manifest.paths.length !== 1)
    throw new Error(`model ${version}, member ${member.name}: unexpected weights manifest`);
  const bytes = await fs.readFile(join(memberDir, manifest.paths[0] as string));
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return deserializeNetwork({
    modelTopology: modelJson.modelTopology,
    weightSpecs: manifest.weights,
    weightData,
  });
}

/** Load a model version (its features are checked against this code's before anything else). */
export async function loadModel(modelDir: string, version: string): Promise<LoadedModel> {
  const metadata = await readMetadata(modelDir, version);
  if (!metadata) throw new Error(`No risk model ${version} in ${modelDir}. Train one with: arlens train`);
  checkFeatures(metadata);
  const dir = versionDir(modelDir, version);
  const members: tf.LayersModel[] = [];
  try {
    for (const member of metadata.served.members) {
      const network = await loadMember(dir, version, member);
      members.push(network);
      const inputs = network.inputs[0]?.shape[1];
      if (inputs !== metadata.features.columns.length) {
        throw new Error(
          `model ${version}: the network of member ${member.name} takes ${String(inputs)} inputs but its metadata lists ` +
            `${metadata.features.columns.length} columns. The artefacts are inconsistent; retrain with: arlens train`,
        );
      }
    }
    if (
      metadata.served.kind === 'logistic' &&
      metadata.served.logistic?.coefficients.length !== metadata.features.columns.length
    ) {
      throw new Error(
        `model ${version}: the logistic regression has ${String(metadata.served.logistic?.coefficients.length)} coefficients ` +
          `for ${metadata.features.columns.length} columns. The artefacts are inconsistent; retrain with: arlens train`,
      );
    }
    return { metadata, scoring: scoringModel(metadata.served, members) };
  } catch (e) {
    for (const n of members) n.dispose();
    throw e;
  }
}

/** The published model, or undefined when none has been published in modelDir. */
export async function loadPublishedModel(modelDir: string): Promise<LoadedModel | undefined> {
  const version = await publishedVersion(modelDir);
  return version === undefined ? undefined : loadModel(modelDir, version);
}
