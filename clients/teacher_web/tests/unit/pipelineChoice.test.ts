import { describe, expect, it } from "vitest";

import { en } from "@/i18n/en";
import { sv } from "@/i18n/sv";
import {
  GRAMMAR_CATEGORIES,
  PIPELINES,
  canRequest,
  includesGrammar,
  pipelineLabelKey,
  pipelineRequestBody,
} from "@/domain/pipelineChoice";

describe("the pipeline request body", () => {
  it("is the pipeline alone for spelling, whatever the checkboxes say", () => {
    expect(pipelineRequestBody({ pipeline: "spellcheck", checkedCategories: ["STYLE"] })).toEqual({
      pipeline: "spellcheck",
    });
  });

  it("sends no categories when every one stays checked", () => {
    expect(pipelineRequestBody({ pipeline: "spellcheck+grammar", checkedCategories: GRAMMAR_CATEGORIES })).toEqual({
      pipeline: "spellcheck+grammar",
    });
  });

  it("lists the unticked categories once, in the platform's order", () => {
    const checked = GRAMMAR_CATEGORIES.filter((c) => c !== "STYLE" && c !== "GRAMMAR");
    expect(pipelineRequestBody({ pipeline: "spellcheck+grammar", checkedCategories: [...checked, ...checked] })).toEqual({
      pipeline: "spellcheck+grammar",
      disabled_grammar_categories: ["GRAMMAR", "STYLE"],
    });
  });

  it("refuses grammar with nothing left to check", () => {
    expect(canRequest({ pipeline: "spellcheck+grammar", checkedCategories: [] })).toBe(false);
    expect(canRequest({ pipeline: "spellcheck+grammar", checkedCategories: ["MISC"] })).toBe(true);
    expect(canRequest({ pipeline: "spellcheck", checkedCategories: [] })).toBe(true);
  });
});

describe("the choices' names", () => {
  it("has a label for every pipeline and category in both languages", () => {
    for (const catalogue of [en, sv]) {
      for (const pipeline of PIPELINES) {
        expect(catalogue.pipeline.names[pipelineLabelKey(pipeline) as keyof typeof catalogue.pipeline.names]).toBeTruthy();
      }
      for (const category of GRAMMAR_CATEGORIES) expect(catalogue.pipeline.categories[category]).toBeTruthy();
    }
  });

  it("knows which pipelines run the grammar phase", () => {
    expect(PIPELINES.filter(includesGrammar)).toEqual(["spellcheck+grammar"]);
  });
});
