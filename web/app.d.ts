import type { SecurityContext } from '../cube/tokens.ts';
import type { Lang } from '$lib/i18n/messages';

declare global {
  namespace App {
    interface Locals {
      user: SecurityContext | null;
      lang: Lang;
    }
  }
}

export {};
