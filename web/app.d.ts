import type { SecurityContext } from '../auth/tokens.ts';
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
      /** The signed-in person (the session's user) and the session's CSRF token for forms. */
      session: { username: string; displayName: string; csrf: string; demo: boolean } | null;
      lang: Lang;
    }
  }
}

export {};
