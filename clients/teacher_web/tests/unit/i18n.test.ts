import { describe, expect, it } from "vitest";

import { BATCH_STATUSES, ERROR_CODES, ESSAY_STATUSES } from "@/api/types";
import { FLAG_CATEGORIES } from "@/domain/categories";
import { en } from "@/i18n/en";
import { createAppI18n, storedLocale, LOCALE_STORAGE_KEY } from "@/i18n";
import { sv } from "@/i18n/sv";

type Tree = { [key: string]: string | Tree };

function keys(tree: Tree, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === "string" ? [`${prefix}${key}`] : keys(value, `${prefix}${key}.`),
  );
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "").sort();
}

function lookup(tree: Tree, path: string): string | undefined {
  let node: string | Tree | undefined = tree;
  for (const part of path.split(".")) node = typeof node === "object" ? node[part] : undefined;
  return typeof node === "string" ? node : undefined;
}

const svTree = sv as unknown as Tree;
const enTree = en as unknown as Tree;

describe("the catalogues", () => {
  it("have exactly the same keys in Swedish and English", () => {
    expect(keys(enTree).sort()).toEqual(keys(svTree).sort());
  });

  it("fill every key in both languages, with the same placeholders", () => {
    for (const key of keys(svTree)) {
      const swedish = lookup(svTree, key) ?? "";
      const english = lookup(enTree, key) ?? "";
      expect(swedish.trim(), `sv ${key}`).not.toBe("");
      expect(english.trim(), `en ${key}`).not.toBe("");
      expect(placeholders(english), key).toEqual(placeholders(swedish));
    }
  });

  it("word every error code of the gateway, every status and every flag category", () => {
    for (const code of ERROR_CODES) {
      expect(lookup(svTree, `errors.${code}`), code).toBeTruthy();
      expect(lookup(enTree, `errors.${code}`), code).toBeTruthy();
    }
    for (const status of BATCH_STATUSES) expect(lookup(enTree, `status.${status}`), status).toBeTruthy();
    for (const status of ESSAY_STATUSES) expect(lookup(svTree, `essayStatus.${status}`), status).toBeTruthy();
    for (const category of FLAG_CATEGORIES) {
      expect(lookup(svTree, `flagCategory.${category}`), category).toBeTruthy();
      expect(lookup(enTree, `flagCategory.${category}`), category).toBeTruthy();
    }
  });

  it("speak Swedish unless the teacher chose English", () => {
    const storage = new Map<string, string>();
    const fake = { getItem: (k: string) => storage.get(k) ?? null };
    expect(storedLocale(fake)).toBe("sv");
    storage.set(LOCALE_STORAGE_KEY, "en");
    expect(storedLocale(fake)).toBe("en");
    storage.set(LOCALE_STORAGE_KEY, "de");
    expect(storedLocale(fake)).toBe("sv");
    const i18n = createAppI18n("en");
    expect(i18n.global.t("upload.summary", { accepted: 2, rejected: 1 })).toBe("2 accepted, 1 rejected");
    i18n.global.locale.value = "sv";
    expect(i18n.global.t("upload.summary", { accepted: 2, rejected: 1 })).toBe("2 mottagna, 1 avvisade");
  });
});
