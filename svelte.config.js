// SvelteKit 2 configuration. The app lives in web/ (not the default src/): the repository is one
// package whose top-level folders are domains (ingest/, models/, cube/, web/, ml/).
import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ out: 'build/web' }),
    // Content-Security-Policy of every page (server/index.ts sets the other security headers, and a
    // CSP that allows nothing on responses that are no page). Scripts only from this server and the
    // page's own start-up script (its nonce); no inline event handlers, no eval. Style attributes are
    // allowed ('unsafe-inline' in style-src-attr only): Svelte's style: directives render them on the
    // server, and ECharts writes its tooltips' styles as attributes. Style sheets come from here only.
    csp: {
      mode: 'nonce',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        'style-src': ['self'],
        'style-src-attr': ['unsafe-inline'],
        'img-src': ['self', 'data:'],
        'font-src': ['self'],
        'connect-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['none'],
        'form-action': ['self'],
        'frame-ancestors': ['none'],
      },
    },
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
