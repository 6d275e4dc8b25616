/**
 * The language and translator for components, set once by the root layout. `getI18n()` throws when
 * the layout did not set it (a component rendered outside the app).
 */
import { getContext, setContext } from 'svelte';
import { locale, translator, type Lang, type Translate } from './messages';

const KEY = Symbol('arlens.i18n');

export interface I18n {
  readonly lang: Lang;
  readonly locale: string;
  readonly t: Translate;
}

export function setI18n(lang: () => Lang): I18n {
  const i18n: I18n = {
    get lang() {
      return lang();
    },
    get locale() {
      return locale(lang());
    },
    get t() {
      return translator(lang());
    },
  };
  setContext(KEY, i18n);
  return i18n;
}

export function getI18n(): I18n {
  const i18n = getContext<I18n | undefined>(KEY);
  if (!i18n) throw new Error('getI18n() outside the app layout: setI18n() was not called.');
  return i18n;
}
