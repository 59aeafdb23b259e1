// A batch's spell-check results as a teacher reads them: per essay, totals, and a CSV.
import type { BatchResult, EssayResult, EssaySummary } from "@/api/types";

import type { CategoryCounts } from "./categories";
import { toCsv } from "./csv";

export interface ResultTotals {
  essays: number;
  words: number;
  misspellings: number;
  corrections: number;
}

/** Essays that hold a file (an empty slot has nothing to show). */
export function essaysWithFiles(batch: BatchResult): EssaySummary[] {
  return (batch.essays ?? []).filter((essay) => essay.file_upload_id);
}

export function totalsOf(essays: readonly EssaySummary[]): ResultTotals {
  return essays.reduce<ResultTotals>(
    (sum, essay) => ({
      essays: sum.essays + 1,
      words: sum.words + (essay.word_count ?? 0),
      misspellings: sum.misspellings + (essay.misspelling_count ?? 0),
      corrections: sum.corrections + (essay.correction_count ?? 0),
    }),
    { essays: 0, words: 0, misspellings: 0, corrections: 0 },
  );
}

export interface CsvHeadings {
  file: string;
  essayId: string;
  status: string;
  words: string;
  misspellings: string;
  corrections: string;
  words_list: string;
  total: string;
  // One column per flag category, after the others (so existing columns keep their place).
  categories: readonly { category: string; label: string }[];
}

/** An essay's flagged words in one category; "" before it has a result. */
export function categoryCount(counts: CategoryCounts | null | undefined, category: string): number | "" {
  return counts ? (counts[category] ?? 0) : "";
}

function misspeltWords(detail: EssayResult | undefined): string {
  const list = detail?.spellcheck?.misspellings ?? [];
  return list
    .map((m) => (m.suggestions?.length ? `${m.word} → ${m.suggestions.join("/")}` : m.word))
    .join("; ");
}

/** One row per essay with its misspellings, then the batch's totals; UTF-8 with BOM for Excel. */
export function resultsCsv(
  essays: readonly EssaySummary[],
  details: ReadonlyMap<string, EssayResult>,
  headings: CsvHeadings,
  statusLabel: (essay: EssaySummary) => string,
  batchCounts: CategoryCounts | undefined,
): string {
  const totals = totalsOf(essays);
  const categories = headings.categories.map((c) => c.category);
  const rows = [
    [
      headings.file,
      headings.essayId,
      headings.status,
      headings.words,
      headings.misspellings,
      headings.corrections,
      headings.words_list,
      ...headings.categories.map((c) => c.label),
    ],
    ...essays.map((essay) => [
      essay.filename ?? "",
      essay.essay_id,
      statusLabel(essay),
      essay.word_count ?? "",
      essay.misspelling_count ?? "",
      essay.correction_count ?? "",
      misspeltWords(details.get(essay.essay_id)),
      ...categories.map((category) => categoryCount(essay.category_counts, category)),
    ]),
    [
      headings.total,
      "",
      "",
      totals.words,
      totals.misspellings,
      totals.corrections,
      "",
      ...categories.map((category) => batchCounts?.[category] ?? 0),
    ],
  ];
  return "\uFEFF" + toCsv(rows);
}
