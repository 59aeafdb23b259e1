// What a teacher may ask the platform to check, and the request body that choice becomes.
import type { GrammarCategory, PipelineName, PipelineRequestBody } from "@/api/types";

export const PIPELINES = ["spellcheck", "spellcheck+grammar"] as const satisfies readonly PipelineName[];

// LanguageTool's category ids, in the order the checkboxes show them.
export const GRAMMAR_CATEGORIES = [
  "GRAMMAR",
  "PUNCTUATION",
  "TYPOGRAPHY",
  "STYLE",
  "CASING",
  "CONFUSED_WORDS",
  "COLLOCATIONS",
  "REDUNDANCY",
  "SEMANTICS",
  "MISC",
] as const satisfies readonly GrammarCategory[];

// Fails to compile when the gateway gains a pipeline or category these lists lack.
type MissingPipeline = Exclude<PipelineName, (typeof PIPELINES)[number]>;
type MissingCategory = Exclude<GrammarCategory, (typeof GRAMMAR_CATEGORIES)[number]>;
export const CHOICES_COMPLETE: [MissingPipeline, MissingCategory] extends [never, never] ? true : never = true;

/** The i18n key under `pipeline.names` (a "+" does not belong in a message path). */
export function pipelineLabelKey(pipeline: PipelineName): string {
  return pipeline === "spellcheck" ? "spellcheck" : "spellcheckGrammar";
}

export function includesGrammar(pipeline: PipelineName): boolean {
  return pipeline === "spellcheck+grammar";
}

export interface PipelineChoice {
  pipeline: PipelineName;
  /** The categories the teacher left ticked (checked); the others are switched off. */
  checkedCategories: readonly GrammarCategory[];
}

/** The body for POST /pipelines: categories only with grammar, and only those switched off. */
export function pipelineRequestBody(choice: PipelineChoice): PipelineRequestBody {
  if (!includesGrammar(choice.pipeline)) return { pipeline: choice.pipeline };
  const checked = new Set(choice.checkedCategories);
  const disabled = GRAMMAR_CATEGORIES.filter((category) => !checked.has(category));
  return disabled.length ? { pipeline: choice.pipeline, disabled_grammar_categories: disabled } : { pipeline: choice.pipeline };
}

/** False when grammar is chosen with every category unticked: there would be nothing to check. */
export function canRequest(choice: PipelineChoice): boolean {
  return !includesGrammar(choice.pipeline) || GRAMMAR_CATEGORIES.some((c) => choice.checkedCategories.includes(c));
}
