import { describe, expect, it } from "vitest";

import { segmentText } from "@/domain/highlight";

// Segmenting reads only the offsets; the flags here carry the word to read the tests by.
type Flag = { word: string; start: number; end: number; suggestions?: string[] };

// Offsets count code points, as Python's str does: `text[start:end] == word` there.
function miss(text: string, word: string, suggestions: string[] = []): Flag {
  const points = Array.from(text);
  const wordPoints = Array.from(word);
  for (let start = 0; start + wordPoints.length <= points.length; start += 1) {
    if (points.slice(start, start + wordPoints.length).join("") === word) {
      return { word, start, end: start + wordPoints.length, suggestions };
    }
  }
  throw new Error(`${word} not in text`);
}

const marked = (text: string, misspellings: Flag[]) =>
  segmentText(text, misspellings)
    .filter((s) => s.kind === "misspelling")
    .map((s) => s.text);

describe("segmentText", () => {
  it("marks words at their offsets and keeps the text around them", () => {
    const text = "I recieved teh letter.";
    const segments = segmentText(text, [miss(text, "recieved"), miss(text, "teh")]);
    expect(segments.map((s) => s.text).join("")).toBe(text);
    expect(marked(text, [miss(text, "recieved"), miss(text, "teh")])).toEqual(["recieved", "teh"]);
  });

  it("counts Swedish letters before an offset as one character each", () => {
    const text = "Åsa och Öberg skrev en uppsatts om skolan.";
    expect(marked(text, [{ word: "uppsatts", start: 23, end: 31, suggestions: ["uppsats"] }])).toEqual(["uppsatts"]);
  });

  it("counts an emoji before an offset as one code point, not two UTF-16 units", () => {
    const text = "Jag 😀 tycker att skolan börjar för tidigt, men deet är bra.";
    // Python: text.index("deet") == 47; JavaScript's indexOf says 48 (the emoji is a pair).
    expect(text.indexOf("deet")).toBe(48);
    expect(marked(text, [{ word: "deet", start: 47, end: 51 }])).toEqual(["deet"]);
  });

  it("marks a word that itself holds an emoji or a decomposed letter", () => {
    const text = "Hej 👋🏽 och he\u0301j";
    const points = Array.from(text);
    const start = points.length - 4;
    expect(marked(text, [{ word: "he\u0301j", start, end: points.length }])).toEqual(["he\u0301j"]);
  });

  it("sorts by offset and drops overlapping or out-of-range marks", () => {
    const text = "one twoo threee";
    const segments = segmentText(text, [
      { word: "threee", start: 9, end: 15 },
      { word: "twoo", start: 4, end: 8 },
      { word: "woo", start: 5, end: 8 },
      { word: "past", start: 20, end: 24 },
      { word: "", start: 3, end: 3 },
    ]);
    expect(segments.filter((s) => s.kind === "misspelling").map((s) => s.text)).toEqual(["twoo", "threee"]);
    expect(segments.map((s) => s.text).join("")).toBe(text);
  });

  it("keeps each mark's index into the original list (for its tooltip id)", () => {
    const text = "aa bb";
    const segments = segmentText(text, [
      { word: "bb", start: 3, end: 5 },
      { word: "aa", start: 0, end: 2 },
    ]);
    const indexes = segments.flatMap((s) => (s.kind === "misspelling" ? [s.index] : []));
    expect(indexes).toEqual([1, 0]);
  });
});
