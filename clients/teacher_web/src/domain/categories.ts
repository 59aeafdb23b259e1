// Why the spell checker flagged a word (the gateway's FlagCategory), and flags counted per
// category. The gateway may name a category newer than this app (a grammar category is
// planned): it is counted and shown by the name the gateway sent, never dropped.
import type { FlagCategory } from "@/api/types";

export const FLAG_CATEGORIES = ["spelling", "compound", "capitalisation"] as const satisfies readonly FlagCategory[];

// Fails to compile when the gateway gains a category this list (and so the catalogues) lacks.
type MissingFlagCategory = Exclude<FlagCategory, (typeof FLAG_CATEGORIES)[number]>;
export const FLAG_CATEGORIES_COMPLETE: MissingFlagCategory extends never ? true : never = true;

/** Flagged words per category, as the gateway sends them (every category it knows). */
export type CategoryCounts = Readonly<Record<string, number>>;

/** The categories to show: this app's in their order, then any newer one the counts name. */
export function categoriesOf(counts: readonly (CategoryCounts | null | undefined)[]): string[] {
  const known = new Set<string>(FLAG_CATEGORIES);
  const newer = new Set<string>();
  for (const map of counts) {
    for (const category of Object.keys(map ?? {})) if (!known.has(category)) newer.add(category);
  }
  return [...FLAG_CATEGORIES, ...newer];
}

/** The teacher's word for a category; one the catalogue lacks is shown as the gateway named it. */
export function categoryLabel(
  category: string,
  i18n: { t: (key: string) => string; te: (key: string) => boolean },
): string {
  const key = `flagCategory.${category}`;
  return i18n.te(key) ? i18n.t(key) : category;
}

/** "Stavning 2 · Sammansättning 1": the categories with flags, or every one when `zeros`. */
export function countsText(
  counts: CategoryCounts | null | undefined,
  label: (category: string) => string,
  zeros = false,
): string {
  const shown = categoriesOf([counts])
    .map((category) => [category, counts?.[category] ?? 0] as const)
    .filter(([, count]) => zeros || count > 0);
  return shown.map(([category, count]) => `${label(category)} ${count}`).join(" · ");
}
