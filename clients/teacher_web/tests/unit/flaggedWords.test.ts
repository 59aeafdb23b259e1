// The teacher sees why each word was flagged (essay view) and the flags per category (batch view).
import { mount } from "@vue/test-utils";
import { describe, expect, it, vi } from "vitest";

import type { BatchResult, EssaySummary, Misspelling } from "@/api/types";
import HighlightedText from "@/components/HighlightedText.vue";
import { resultsCsv } from "@/domain/results";
import { createAppI18n } from "@/i18n";

vi.mock("@/services", () => ({ api: { getEssay: vi.fn() }, http: {}, connectAuth: vi.fn() }));
const { default: ResultsPanel } = await import("@/components/ResultsPanel.vue");

const TEXT = "Vi åt glass på en glass kiosk i göteborg igårr.";
const at = (word: string) => {
  const start = Array.from(TEXT.slice(0, TEXT.indexOf(word))).length;
  return { word, start, end: start + Array.from(word).length };
};
const FLAGS: Misspelling[] = [
  { ...at("glass kiosk"), suggestions: ["glasskiosk"], category: "compound", explanation: "Sammansatta ord skrivs ihop: glasskiosk." },
  { ...at("göteborg"), suggestions: ["Göteborg"], category: "capitalisation", explanation: "Ortnamn skrivs med stor bokstav." },
  // A category newer than this app, as a later gateway may send it.
  { ...at("igårr"), suggestions: ["igår"], category: "grammar" as Misspelling["category"], explanation: "" },
];

const WHEN = "2026-12-07T09:00:00Z";
const essay = (id: string, file: string, counts: Record<string, number> | null): EssaySummary => ({
  essay_id: id,
  status: counts ? "spellcheck_succeeded" : "awaiting_content",
  file_upload_id: `f-${id}`,
  filename: file,
  misspelling_count: counts ? Object.values(counts).reduce((a, b) => a + b, 0) : null,
  category_counts: counts,
  word_count: counts ? 10 : null,
  correction_count: counts ? 1 : null,
  updated_at: WHEN,
});
const BATCH: BatchResult = {
  batch_id: "b-1",
  user_id: "anna",
  course_code: "SV1",
  status: "completed",
  expected_essay_count: 3,
  assigned_essay_count: 3,
  processed_essay_count: 2,
  failed_essay_count: 0,
  rejected_file_count: 0,
  category_counts: { spelling: 3, compound: 1, capitalisation: 0 },
  essays: [
    essay("e-1", "sara.docx", { spelling: 1, compound: 1, capitalisation: 0 }),
    essay("e-2", "olle.docx", { spelling: 2, compound: 0, capitalisation: 0 }),
    essay("e-3", "tom.docx", null),
  ],
  created_at: WHEN,
  updated_at: WHEN,
};

const stubs = { RouterLink: { template: "<a><slot /></a>" } };

describe("an essay's flagged words", () => {
  it("say their category and the checker's explanation next to the suggestions", () => {
    const view = mount(HighlightedText, {
      props: { text: TEXT, misspellings: FLAGS },
      global: { plugins: [createAppI18n("sv")] },
    });

    const marks = view.findAll("mark");
    expect(marks.map((m) => m.attributes("data-category"))).toEqual(["compound", "capitalisation", "grammar"]);
    expect(marks[0]?.classes()).toContain("flag-compound");
    const tips = view.findAll("[role=tooltip]").map((tip) => tip.findAll("span").map((s) => s.text()));
    expect(tips).toEqual([
      ["Markerat: Sammansatta ord", "Sammansatta ord skrivs ihop: glasskiosk.", "Förslag: glasskiosk"],
      ["Markerat: Stor bokstav", "Ortnamn skrivs med stor bokstav.", "Förslag: Göteborg"],
      ["Markerat: grammar", "Förslag: igår"], // no explanation: no empty line
    ]);
  });

  it("speak English when the teacher does", () => {
    const view = mount(HighlightedText, {
      props: { text: TEXT, misspellings: FLAGS.slice(0, 1) },
      global: { plugins: [createAppI18n("en")] },
    });
    // Read as one description by a screen reader: the parts stay apart.
    expect(view.find("[role=tooltip]").text()).toBe(
      "Flagged: Compound words Sammansatta ord skrivs ihop: glasskiosk. Suggestions: glasskiosk",
    );
  });
});

describe("a batch's results", () => {
  it("count flagged words per category for each essay and for the whole batch", () => {
    const view = mount(ResultsPanel, { props: { batch: BATCH }, global: { plugins: [createAppI18n("en")], stubs } });

    const headers = view.findAll("thead th").map((th) => th.text());
    expect(headers).toEqual(["Essay", "Status", "Words", "Misspellings", "Spelling", "Compound words", "Capital letters", "Corrections"]);
    const rows = view.findAll("tbody tr").map((tr) => tr.findAll("td[data-category]").map((td) => td.text()));
    expect(rows).toEqual([
      ["1", "1", "0"],
      ["2", "0", "0"],
      ["–", "–", "–"], // no result yet
    ]);
    const totals = view.find("[data-testid=batch-totals]").findAll("td[data-category]").map((td) => td.text());
    expect(totals).toEqual(["3", "1", "0"]);
  });

  it("give a category newer than the app its own column, by the name the gateway sent", () => {
    const newer: BatchResult = {
      ...BATCH,
      category_counts: { ...BATCH.category_counts, grammar: 2 },
      essays: [essay("e-1", "sara.docx", { spelling: 1, compound: 0, capitalisation: 0, grammar: 2 })],
    };
    const view = mount(ResultsPanel, { props: { batch: newer }, global: { plugins: [createAppI18n("sv")], stubs } });

    expect(view.findAll("thead th").map((th) => th.text())).toContain("grammar");
    expect(view.find("[data-testid=batch-totals] td[data-category=grammar]").text()).toBe("2");
  });

  it("export each category's count after the existing columns, with the batch's totals", () => {
    const csv = resultsCsv(
      BATCH.essays ?? [],
      new Map(),
      {
        file: "File",
        essayId: "essay_id",
        status: "Status",
        words: "Words",
        misspellings: "Misspellings",
        corrections: "Corrections",
        words_list: "Misspelt words",
        total: "Whole batch",
        categories: [
          { category: "spelling", label: "Spelling" },
          { category: "compound", label: "Compound words" },
        ],
      },
      (e) => e.status,
      BATCH.category_counts,
    );
    const rows = csv.replace("\uFEFF", "").trim().split(/\r?\n/).map((line) => line.split(","));
    expect(rows[0]?.slice(6)).toEqual(["Misspelt words", "Spelling", "Compound words"]);
    expect(rows.map((row) => row.slice(7))).toEqual([
      ["Spelling", "Compound words"],
      ["1", "1"],
      ["2", "0"],
      ["", ""],
      ["3", "1"],
    ]);
  });
});
