/**
 * The two shims Cube 0.35 needs when its native module is absent (it downloads a binary at install,
 * which cannot happen here; see docs/platform.md). Both are applied only when `loadNative()`
 * fails, so a machine with the native module keeps Cube's own behaviour.
 *
 * 1. The API gateway always builds the native SQL server (Postgres wire protocol, /v1/cubesql):
 *    without the native module it is not created, so Cube's SQL API is unavailable.
 * 2. The schema compiler always builds a native Jinja engine, even for plain YAML: we give it one that
 *    refuses to render, so Jinja in Cube models (and Python models) fail with a clear message.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface GatewayProto {
  createSQLServerInstance(options: unknown): unknown;
}
interface NativeProto {
  newJinjaEngine(options: unknown): unknown;
}

let applied: boolean | undefined;

/** Returns true when the shims were needed (and applied). Idempotent. */
export function applyCubeShims(): boolean {
  if (applied !== undefined) return applied;
  const native = require('@cubejs-backend/native') as {
    loadNative(): unknown;
    NativeInstance: { prototype: NativeProto };
  };
  try {
    native.loadNative();
    applied = false;
    return applied;
  } catch {
    // No native module on this machine: fall through to the shims.
  }
  const gateway = require('@cubejs-backend/api-gateway') as { ApiGateway: { prototype: GatewayProto } };
  gateway.ApiGateway.prototype.createSQLServerInstance = () => ({
    init: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  });
  native.NativeInstance.prototype.newJinjaEngine = () => ({
    loadTemplate: () => undefined,
    renderTemplate: (name: string) =>
      Promise.reject(
        new Error(
          `${name}: Jinja in Cube models needs Cube's native module, which is not installed here. ` +
            'Write the model in plain YAML (see docs/cube.md).',
        ),
      ),
  });
  applied = true;
  return applied;
}
