// Grammar matches (LanguageTool's, through the gateway) and their counts per category. The
// categories are LanguageTool's ids: the ones a teacher may switch off (GRAMMAR_CATEGORIES)
// have words in the catalogues; any other id LanguageTool uses is shown as it is, never dropped.
import type { GrammarMatch, Misspelling } from "@/api/types";

import { GRAMMAR_CATEGORIES } from "./pipelineChoice";

/** Grammar matches per LanguageTool category id (only categories with matches). */
export type GrammarCounts = Readonly<Record<string, number>>;

/** The teacher's word for a LanguageTool category; an unknown id is shown as LanguageTool named it. */
export function grammarCategoryLabel(
  category: string,
  i18n: { t: (key: string) => string; te: (key: string) => boolean },
): string {
  const key = `pipeline.categories.${category}`;
  return i18n.te(key) ? i18n.t(key) : category;
}

/** The categories in any of the counts: the known ones in their usual order, then others by id. */
export function grammarCategoriesOf(counts: readonly (GrammarCounts | null | undefined)[]): string[] {
  const present = new Set<string>();
  for (const map of counts) for (const [category, n] of Object.entries(map ?? {})) if (n > 0) present.add(category);
  const known: string[] = GRAMMAR_CATEGORIES.filter((c) => present.has(c));
  const others = [...present].filter((c) => !known.includes(c)).sort();
  return [...known, ...others];
}

/** "Grammatik 2 · Stil 1": the categories with matches, most first. */
export function grammarCountsText(counts: GrammarCounts | null | undefined, label: (category: string) => string): string {
  return Object.entries(counts ?? {})
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([category, n]) => `${label(category)} ${n}`)
    .join(" · ");
}

/** One mark in the essay: a spelling flag or a grammar match, where it stands (code points). */
export type EssayMark =
  | { source: "spelling"; start: number; end: number; flag: Misspelling }
  | { source: "grammar"; start: number; end: number; match: GrammarMatch };

/** Both checkers' marks in one list (spelling first where they start at the same place). */
export function essayMarks(misspellings: readonly Misspelling[], matches: readonly GrammarMatch[]): EssayMark[] {
  return [
    ...misspellings.map((flag): EssayMark => ({ source: "spelling", start: flag.start, end: flag.end, flag })),
    ...matches.map((match): EssayMark => ({ source: "grammar", start: match.start, end: match.end, match })),
  ];
}
