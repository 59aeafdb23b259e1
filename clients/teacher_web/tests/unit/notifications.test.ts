import { describe, expect, it } from "vitest";

// Written by `make contracts` from common_core.notifications: the texts every client shows.
import catalogue from "../../../../documentation/notifications.json";
import { createAppI18n } from "@/i18n";
import { en } from "@/i18n/en";
import { notificationKey } from "@/i18n/notifications";
import { sv } from "@/i18n/sv";

interface Text {
  params: string[];
  sv: string;
  en: string;
}
type Entry = Text | Record<string, Text>;

function isText(entry: Entry): entry is Text {
  return Array.isArray((entry as Text).params);
}

// Every text of the Python catalogue by its message key (code, or code.variant).
const texts: [string, Text][] = Object.entries(catalogue as Record<string, Entry>).flatMap(([code, entry]) =>
  isText(entry) ? [[code, entry]] : Object.entries(entry).map(([variant, text]): [string, Text] => [`${code}.${variant}`, text]),
);

function lookup(tree: unknown, path: string): unknown {
  let node: unknown = tree;
  for (const part of path.split(".")) node = typeof node === "object" && node ? (node as Record<string, unknown>)[part] : undefined;
  return node;
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "").sort();
}

describe("the notification texts", () => {
  it("cover every code and variant of the catalogue, and nothing else", () => {
    const ours = (tree: unknown): string[] =>
      Object.entries(tree as Record<string, unknown>).flatMap(([code, value]) =>
        typeof value === "string" ? [code] : Object.keys(value as object).map((variant) => `${code}.${variant}`),
      );
    const expected = texts.map(([key]) => key).sort();
    expect(ours(sv.notifications.messages).sort()).toEqual(expected);
    expect(ours(en.notifications.messages).sort()).toEqual(expected);
  });

  it("show exactly the catalogue's params in both languages", () => {
    for (const [key, text] of texts) {
      for (const [tree, lang] of [[sv, "sv"], [en, "en"]] as const) {
        const ours = lookup(tree, `notifications.messages.${key}`);
        expect(typeof ours, `${lang} ${key}`).toBe("string");
        expect(placeholders(ours as string), `${lang} ${key}`).toEqual([...text.params].sort());
      }
    }
  });

  it("give every code a label", () => {
    for (const code of Object.keys(catalogue)) {
      expect(lookup(sv, `notifications.types.${code}`), code).toBeTruthy();
      expect(lookup(en, `notifications.types.${code}`), code).toBeTruthy();
    }
  });

  it("render a notification from its code, variant and params", () => {
    const i18n = createAppI18n("en");
    const denied = { notification_type: "pipeline_denied", params: { variant: "already_run", pipeline: "spellcheck" } };
    expect(notificationKey(denied)).toBe("notifications.messages.pipeline_denied.already_run");
    expect(i18n.global.t(notificationKey(denied), denied.params)).toBe("The spellcheck pipeline has already run for this batch.");
    i18n.global.locale.value = "sv";
    const ready = { notification_type: "batch_results_ready", params: { processed_count: 3, failed_count: 1 } };
    expect(i18n.global.t(notificationKey(ready), ready.params)).toBe("Resultaten är klara: 3 uppsats(er) bearbetade, 1 misslyckades.");
  });
});
