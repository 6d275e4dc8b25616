// SvelteKit 2 configuration. The app lives in web/ (not the default src/): the repository is one
// package whose top-level folders are domains (ingest/, models/, cube/, web/, ml/).
import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ out: 'build/web' }),
    files: {
      routes: 'web/routes',
      lib: 'web/lib',
      appTemplate: 'web/app.html',
      errorTemplate: 'web/error.html',
      assets: 'web/static',
      hooks: { server: 'web/hooks.server', client: 'web/hooks.client', universal: 'web/hooks' },
      params: 'web/params',
      serviceWorker: 'web/service-worker',
    },
  },
};
