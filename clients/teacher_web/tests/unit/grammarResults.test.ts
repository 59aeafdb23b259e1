// Grammar matches shown like spelling flags (essay view) and counted per category (batch views).
import { mount } from "@vue/test-utils";
import { describe, expect, it, vi } from "vitest";

import type { BatchResult, EssaySummary, GrammarMatch, Misspelling } from "@/api/types";
import HighlightedText from "@/components/HighlightedText.vue";
import { grammarCategoriesOf, grammarCountsText } from "@/domain/grammar";
import { createAppI18n } from "@/i18n";

vi.mock("@/services", () => ({ api: { getEssay: vi.fn() }, http: {}, connectAuth: vi.fn() }));
const { default: ResultsPanel } = await import("@/components/ResultsPanel.vue");

// An emoji first: offsets count code points, so every later mark must still land on its word.
const TEXT = "😀 He go to school evry day. I was to tired to play.";
const at = (word: string, from = 0) => {
  const start = Array.from(TEXT.slice(0, TEXT.indexOf(word, from))).length;
  return { start, end: start + Array.from(word).length };
};
const AGREEMENT: GrammarMatch = {
  ...at("go"),
  text: "go",
  rule_id: "HE_VERB_AGR",
  category: "GRAMMAR",
  message: "The pronoun 'He' is usually used with a third-person verb: 'goes'.",
  replacements: ["goes"],
};
const TOO: GrammarMatch = {
  ...at("to tired"),
  end: at("to tired").start + 2,
  text: "to",
  rule_id: "TO_TOO",
  category: "CONFUSED_WORDS",
  message: "Did you mean 'too'?",
  replacements: ["too"],
};
// A category LanguageTool has but the app has no words for.
const UNKNOWN: GrammarMatch = { ...at("play"), text: "play", rule_id: "X_RULE", category: "WIKIPEDIA", message: "Odd.", replacements: [] };
const EVRY: Misspelling = { word: "evry", ...at("evry"), suggestions: ["every"], category: "spelling", explanation: "" };

const mountText = (lang: "sv" | "en", matches: GrammarMatch[]) =>
  mount(HighlightedText, {
    props: { text: TEXT, misspellings: [EVRY], grammarMatches: matches },
    global: { plugins: [createAppI18n(lang)] },
  });

describe("an essay's grammar matches", () => {
  it("are marked beside the spelling flags, each on its own words, with a style of their own", () => {
    const view = mountText("en", [AGREEMENT, TOO, UNKNOWN]);

    const grammar = view.findAll("mark.grammar-match");
    expect(grammar.map((m) => m.text())).toEqual(["go", "to", "play"]);
    expect(grammar.map((m) => m.attributes("data-rule"))).toEqual(["HE_VERB_AGR", "TO_TOO", "X_RULE"]);
    expect(grammar.some((m) => m.classes().includes("misspelling"))).toBe(false);
    expect(view.findAll("mark.misspelling").map((m) => m.text())).toEqual(["evry"]);
  });

  it("explain themselves in the teacher's language, with LanguageTool's message and replacements", () => {
    const sv = mountText("sv", [AGREEMENT, UNKNOWN]);
    const tips = sv.findAll("[role=tooltip]").map((tip) => tip.findAll("span").map((s) => s.text()));
    expect(tips).toEqual([
      ["Grammatik och stil: Grammatik", AGREEMENT.message, "Ersätt med: goes"],
      ["Markerat: Stavning", "Förslag: every"],
      ["Grammatik och stil: WIKIPEDIA", "Odd.", "Inget ersättningsförslag"], // the raw id
    ]);

    const en = mountText("en", [TOO]);
    const tip = en.findAll("[role=tooltip]").at(-1);
    expect(tip?.text()).toBe("Grammar and style: Easily confused words Did you mean 'too'? Replace with: too");
  });
});

describe("grammar counts", () => {
  it("list the known categories in their usual order, then the others", () => {
    expect(grammarCategoriesOf([{ WIKIPEDIA: 1, STYLE: 2 }, { GRAMMAR: 1, PUNCTUATION: 0 }, null])).toEqual([
      "GRAMMAR",
      "STYLE",
      "WIKIPEDIA",
    ]);
  });

  it("read most first, by the teacher's words", () => {
    const label = (c: string) => c.toLowerCase();
    expect(grammarCountsText({ STYLE: 1, GRAMMAR: 3, CASING: 0 }, label)).toBe("grammar 3 · style 1");
    expect(grammarCountsText(null, label)).toBe("");
  });
});

const WHEN = "2026-12-07T11:00:00Z";
const essay = (id: string, grammar: Record<string, number> | null, status: EssaySummary["status"]): EssaySummary => ({
  essay_id: id,
  status,
  file_upload_id: `f-${id}`,
  filename: `${id}.docx`,
  misspelling_count: 1,
  category_counts: { spelling: 1, compound: 0, capitalisation: 0 },
  word_count: 12,
  correction_count: 1,
  grammar_outcome: grammar ? "success" : null,
  grammar_match_count: grammar ? Object.values(grammar).reduce((a, b) => a + b, 0) : null,
  grammar_category_counts: grammar,
  updated_at: WHEN,
});
const BATCH: BatchResult = {
  batch_id: "b-1",
  user_id: "anna",
  course_code: "ENG5",
  status: "completed_with_failures",
  expected_essay_count: 3,
  assigned_essay_count: 3,
  processed_essay_count: 3,
  failed_essay_count: 1,
  rejected_file_count: 0,
  category_counts: { spelling: 3, compound: 0, capitalisation: 0 },
  grammar_category_counts: { GRAMMAR: 3, CONFUSED_WORDS: 1 },
  essays: [
    essay("e-1", { GRAMMAR: 2, CONFUSED_WORDS: 1 }, "grammar_succeeded"),
    essay("e-2", { GRAMMAR: 1 }, "grammar_succeeded"),
    essay("e-3", null, "spellcheck_failed"),
  ],
  created_at: WHEN,
  updated_at: WHEN,
};
const stubs = { RouterLink: { template: "<a><slot /></a>" } };

describe("a batch's grammar results", () => {
  it("count matches per category for each essay and for the whole batch", () => {
    const view = mount(ResultsPanel, { props: { batch: BATCH }, global: { plugins: [createAppI18n("sv")], stubs } });

    const headers = view.findAll("thead th").map((th) => th.text());
    expect(headers.slice(-3)).toEqual(["Grammatikanmärkningar", "Grammatik", "Förväxlade ord"]);
    const rows = view
      .findAll("tbody tr")
      .map((tr) => [tr.find("[data-testid=grammar-count]").text(), ...tr.findAll("td[data-grammar-category]").map((td) => td.text())]);
    expect(rows).toEqual([
      ["3", "2", "1"],
      ["1", "1", "0"],
      ["–", "–", "–"], // no grammar result (its spellcheck failed)
    ]);
    const totals = view.find("[data-testid=batch-totals]");
    expect(totals.find("[data-testid=grammar-total]").text()).toBe("4");
    expect(totals.findAll("td[data-grammar-category]").map((td) => td.text())).toEqual(["3", "1"]);
  });

  it("add no grammar columns to a spelling-only batch", () => {
    const spelling: BatchResult = { ...BATCH, grammar_category_counts: {}, essays: [essay("e-1", null, "spellcheck_succeeded")] };
    const view = mount(ResultsPanel, { props: { batch: spelling }, global: { plugins: [createAppI18n("en")], stubs } });

    expect(view.findAll("thead th").map((th) => th.text())).not.toContain("Grammar matches");
    expect(view.find("[data-testid=grammar-count]").exists()).toBe(false);
  });
});
