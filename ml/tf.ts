/**
 * Choosing the TensorFlow.js backend. 'auto' uses @tensorflow/tfjs-node when it can be resolved at
 * run time (it is not a dependency: its install downloads libtensorflow), otherwise WebAssembly
 * (@tensorflow/tfjs-backend-wasm, SIMD, single-threaded). The .wasm binaries are read from the
 * package's own dist folder through a file path prefix, so nothing is fetched from the network.
 * 'cpu' is the plain-JavaScript backend (the benchmark's baseline).
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type Backend = 'wasm' | 'cpu' | 'tensorflow';
export type BackendChoice = 'auto' | Backend;

let wasmPathsSet = false;

/** The folder holding tfjs-backend-wasm.wasm (and its SIMD / threaded variants). */
export function wasmDir(): string {
  return dirname(fileURLToPath(import.meta.resolve('@tensorflow/tfjs-backend-wasm')));
}

function tfjsNodeResolvable(): boolean {
  try {
    import.meta.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

/** Make `choice` the active backend (once per process per backend) and return its name. */
export async function useBackend(choice: BackendChoice = 'auto'): Promise<Backend> {
  let name: Backend = choice === 'auto' ? 'wasm' : choice;
  if (choice === 'auto' || choice === 'tensorflow') {
    if (tfjsNodeResolvable()) {
      // Registers the 'tensorflow' backend with the same @tensorflow/tfjs-core.
      const specifier = '@tensorflow/tfjs-node';
      await import(specifier);
      name = 'tensorflow';
    } else if (choice === 'tensorflow') {
      throw new Error('The tensorflow backend needs @tensorflow/tfjs-node, which is not installed.');
    }
  }
  if (name === 'wasm' && !wasmPathsSet) {
    setWasmPaths(`${wasmDir()}/`);
    wasmPathsSet = true;
  }
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`The TensorFlow.js ${name} backend could not be initialised.`);
  }
  await tf.ready();
  return name;
}

export { tf };
