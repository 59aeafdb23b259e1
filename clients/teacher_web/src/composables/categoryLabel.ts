import { useI18n } from "vue-i18n";

import { categoryLabel } from "@/domain/categories";

/** The teacher's word for a flag category in the current language (a newer one as sent). */
export function useCategoryLabel(): (category: string) => string {
  const { t, te } = useI18n();
  return (category) => categoryLabel(category, { t: (key) => t(key), te: (key) => te(key) });
}
