// Splits an essay into plain runs and misspellings by the spell checker's offsets.
// The offsets count Unicode code points (Python's str indexing); JavaScript strings count
// UTF-16 units, so an emoji before a word would shift every later mark by one if we sliced
// the string directly. Array.from(text) yields code points.
import type { Misspelling } from "@/api/types";

/** What segmenting needs of a flagged word: where it stands (code points). */
export interface Offsets {
  start: number;
  end: number;
}

export type Segment<M extends Offsets = Misspelling> =
  | { kind: "text"; text: string }
  | { kind: "misspelling"; text: string; misspelling: M; index: number };

export function segmentText<M extends Offsets>(text: string, misspellings: readonly M[]): Segment<M>[] {
  const points = Array.from(text);
  const ordered = misspellings
    .map((misspelling, index) => ({ misspelling, index }))
    .filter(({ misspelling: m }) => m.start >= 0 && m.end > m.start && m.end <= points.length)
    .sort((a, b) => a.misspelling.start - b.misspelling.start || a.misspelling.end - b.misspelling.end);
  const segments: Segment<M>[] = [];
  let cursor = 0;
  for (const { misspelling, index } of ordered) {
    if (misspelling.start < cursor) continue; // overlaps the previous mark: keep the first
    if (misspelling.start > cursor) {
      segments.push({ kind: "text", text: points.slice(cursor, misspelling.start).join("") });
    }
    segments.push({
      kind: "misspelling",
      text: points.slice(misspelling.start, misspelling.end).join(""),
      misspelling,
      index,
    });
    cursor = misspelling.end;
  }
  if (cursor < points.length) segments.push({ kind: "text", text: points.slice(cursor).join("") });
  return segments;
}
