/**
 * The model's views as Svelte state: loaded once from Cube's /v1/meta (through the session's Cube
 * client) when the Explorer mounts; `status`, `views` and `error` drive its loading and error states.
 */
import { cubeApi, type Status } from '../cube/query.svelte.ts';
import { viewsFromMeta, type ViewMeta } from './meta.ts';

export class ExplorerMeta {
  status: Status = $state('loading');
  views: ViewMeta[] = $state.raw([]);
  error: string | null = $state(null);

  constructor() {
    $effect(() => {
      void this.load();
    });
  }

  async load(): Promise<void> {
    this.status = 'loading';
    this.error = null;
    try {
      const meta = await cubeApi().meta();
      this.views = viewsFromMeta(meta.meta.cubes);
      this.status = 'ready';
    } catch (e) {
      this.error = (e as Error).message;
      this.status = 'error';
    }
  }
}
