import type { SecurityContext } from '../cube/tokens.ts';
import type { Lang } from '$lib/i18n/messages';

declare global {
  namespace App {
    interface Error {
      message: string;
      /** Reference of an unexpected error in the server log (hooks.server.ts handleError). */
      id?: string;
    }
    interface Locals {
      user: SecurityContext | null;
      lang: Lang;
    }
  }
}

export {};
