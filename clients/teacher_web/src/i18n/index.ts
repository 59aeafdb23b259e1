import { createI18n } from "vue-i18n";

import { DEFAULT_LOCALE, LOCALES, type Locale } from "./catalogue";
import { en } from "./en";
import { sv } from "./sv";

export const LOCALE_STORAGE_KEY = "huleedu.locale";
export const messages = { sv, en };

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

export function storedLocale(storage: Pick<Storage, "getItem"> = localStorage): Locale {
  const saved = storage.getItem(LOCALE_STORAGE_KEY);
  return isLocale(saved) ? saved : DEFAULT_LOCALE;
}

export function createAppI18n(locale: Locale = storedLocale()) {
  return createI18n({
    legacy: false,
    locale,
    fallbackLocale: DEFAULT_LOCALE,
    messages,
    missingWarn: false,
    fallbackWarn: false,
  });
}

export type AppI18n = ReturnType<typeof createAppI18n>;

/** Switch the language, remember it and tell assistive technology (the html lang). */
export function applyLocale(i18n: AppI18n, locale: Locale, storage: Pick<Storage, "setItem"> = localStorage): void {
  i18n.global.locale.value = locale;
  storage.setItem(LOCALE_STORAGE_KEY, locale);
  document.documentElement.lang = locale;
}
