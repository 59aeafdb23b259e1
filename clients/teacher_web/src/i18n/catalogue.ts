import type { sv } from "./sv";

// The shape of sv.ts with every leaf a string: what every other language must provide.
type Leaves<T> = { [K in keyof T]: T[K] extends string ? string : Leaves<T[K]> };
export type Catalogue = Leaves<typeof sv>;

export const LOCALES = ["sv", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "sv";
