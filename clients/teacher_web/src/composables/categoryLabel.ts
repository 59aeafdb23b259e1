import { useI18n } from "vue-i18n";

import { categoryLabel } from "@/domain/categories";
import { grammarCategoryLabel } from "@/domain/grammar";

/** The teacher's word for a flag category in the current language (a newer one as sent). */
export function useCategoryLabel(): (category: string) => string {
  const { t, te } = useI18n();
  return (category) => categoryLabel(category, { t: (key) => t(key), te: (key) => te(key) });
}

/** The teacher's word for a LanguageTool category in the current language (an unknown id as sent). */
export function useGrammarCategoryLabel(): (category: string) => string {
  const { t, te } = useI18n();
  return (category) => grammarCategoryLabel(category, { t: (key) => t(key), te: (key) => te(key) });
}
