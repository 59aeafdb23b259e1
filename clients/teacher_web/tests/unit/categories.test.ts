import { describe, expect, it } from "vitest";

import { categoriesOf, categoryLabel, countsText, FLAG_CATEGORIES } from "@/domain/categories";
import { createAppI18n } from "@/i18n";

const i18n = (locale: "sv" | "en") => {
  const { t, te } = createAppI18n(locale).global;
  return { t: (key: string) => t(key), te: (key: string) => te(key) };
};

describe("flag categories", () => {
  it("lists this app's categories in order, then newer ones the gateway names", () => {
    expect(categoriesOf([])).toEqual(["spelling", "compound", "capitalisation"]);
    const counts: (Record<string, number> | null)[] = [{ spelling: 1, grammar: 2 }, null, { compound: 1, style: 1, grammar: 1 }];
    expect(categoriesOf(counts)).toEqual(["spelling", "compound", "capitalisation", "grammar", "style"]);
  });

  it("names each category in the teacher's language, and a newer one as the gateway sent it", () => {
    expect(FLAG_CATEGORIES.map((c) => categoryLabel(c, i18n("sv")))).toEqual([
      "Stavning",
      "Sammansatta ord",
      "Stor bokstav",
    ]);
    expect(categoryLabel("compound", i18n("en"))).toBe("Compound words");
    expect(categoryLabel("grammar", i18n("sv"))).toBe("grammar");
  });

  it("writes counts as label and number, the zeros only when asked", () => {
    const label = (c: string) => categoryLabel(c, i18n("sv"));
    const counts = { spelling: 2, compound: 0, capitalisation: 1, grammar: 3 };
    expect(countsText(counts, label)).toBe("Stavning 2 · Stor bokstav 1 · grammar 3");
    expect(countsText(counts, label, true)).toBe("Stavning 2 · Sammansatta ord 0 · Stor bokstav 1 · grammar 3");
    expect(countsText({ spelling: 0 }, label)).toBe("");
    expect(countsText(undefined, label, true)).toBe("Stavning 0 · Sammansatta ord 0 · Stor bokstav 0");
  });
});
