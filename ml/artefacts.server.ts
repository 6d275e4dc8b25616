/**
 * Model artefacts on disk, one folder per version:
 *
 *   <modelDir>/<version>/members/<member>/model.json   one per ensemble member (mlp, logistic):
 *   <modelDir>/<version>/members/<member>/weights.bin  TF.js layers format, float32 weights
 *   <modelDir>/<version>/metadata.json    features (order, definitions), preprocessing, calibration,
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
import type { RiskConfig } from './config.ts';
import type { Platt } from './calibrate.ts';
import {
  diffFeatures,
  featureSpec,
  sameFeatures,
  type FeatureDiff,
  type FeatureSpec,
  type Preprocessor,
} from './features.ts';
import { deserializeNetwork, type EpochLog, type NetworkArtefacts } from './network.ts';
import type { tf } from './tf.ts';

/** Format 2: an ensemble of networks in members/<name>/. Format 1 (one network at the top) still loads. */
export const METADATA_FORMAT = 'arlens-risk-model/2';
const LEGACY_FORMAT = 'arlens-risk-model/1';

/** One network of the ensemble. */
export interface MemberMetadata {
  /** 'mlp' or 'logistic'. */
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

export interface ModelMetadata {
  readonly format: typeof METADATA_FORMAT;
  readonly version: string;
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
    /** Input columns of the network, in order. */
    readonly columns: readonly string[];
    readonly preprocessor: Preprocessor;
  };
  /** The ensemble: its members' raw probabilities are averaged, then `calibration` applies. */
  readonly ensemble: {
    readonly combine: 'mean';
    readonly members: readonly MemberMetadata[];
  };
  /** The MLP member's training (settings shared by the members, and its epoch history). */
  readonly network: {
    readonly hidden: readonly number[];
    readonly l2: number;
    readonly epochs: number;
    readonly bestEpoch: number;
    readonly classWeight: { readonly 0: number; readonly 1: number };
    readonly trainSeconds: number;
    readonly history: readonly EpochLog[];
  };
  /** Platt scaling of the ensemble's mean probability, fitted on the validation period. */
  readonly calibration: Platt;
  /** Headline test metrics; evaluation.json has everything. */
  readonly metrics: Record<string, Record<string, number | null>>;
}

export interface SavedModel {
  /** metadata.ensemble.members says where each member goes. */
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
  const dir = versionDir(modelDir, m.metadata.version);
  const tmp = join(modelDir, `.tmp-${m.metadata.version}-${process.pid}`);
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.mkdir(tmp, { recursive: true });
  try {
    for (const member of m.metadata.ensemble.members) {
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

/** A format-1 model (one MLP at the top of its folder) as an ensemble of that one network. */
function fromLegacy(m: ModelMetadata): ModelMetadata {
  return {
    ...m,
    ensemble: {
      combine: 'mean',
      members: [
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
      ],
    },
  };
}

export async function readMetadata(modelDir: string, version: string): Promise<ModelMetadata | undefined> {
  try {
    const m = JSON.parse(
      await fs.readFile(join(versionDir(modelDir, version), 'metadata.json'), 'utf8'),
    ) as ModelMetadata;
    if ((m.format as string) === LEGACY_FORMAT) return fromLegacy(m);
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
  /** The ensemble's networks, in the order of metadata.ensemble.members. */
  readonly members: readonly tf.LayersModel[];
}

export function disposeModel(m: LoadedModel): void {
  for (const n of m.members) n.dispose();
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
  if (metadata.ensemble.members.length === 0)
    throw new Error(`model ${version}: the ensemble has no members`);
  const members: tf.LayersModel[] = [];
  try {
    for (const member of metadata.ensemble.members) {
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
  } catch (e) {
    for (const n of members) n.dispose();
    throw e;
  }
  return { metadata, members };
}

/** The published model, or undefined when none has been published in modelDir. */
export async function loadPublishedModel(modelDir: string): Promise<LoadedModel | undefined> {
  const version = await publishedVersion(modelDir);
  return version === undefined ? undefined : loadModel(modelDir, version);
}
