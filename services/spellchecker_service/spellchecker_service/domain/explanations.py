"""One sentence for the teacher, in Swedish, on why a word was flagged."""

from __future__ import annotations

from common_core.enums import Language
from spellchecker_service.domain.capitalisation import CaseError, CaseFlag

_LOWER_CASE_CLASSES = {
    "nationality": "Nationaliteter och språk skrivs med liten bokstav på svenska.",
    "weekday": "Veckodagar skrivs med liten bokstav på svenska.",
    "month": "Månader skrivs med liten bokstav på svenska.",
}
_NAME_CAPITALISED = {
    Language.SWEDISH: "Namn på personer, länder och städer skrivs med stor bokstav.",
    Language.ENGLISH: (
        "På engelska skrivs namn, språk, nationaliteter, veckodagar och månader med stor bokstav."
    ),
}


def joined_compound(joined: str) -> str:
    """Two words that form one compound."""
    return f"Sammansatta ord skrivs ihop: {joined}."


def written_apart(phrase: str) -> str:
    """One word that is really two or more ("isåfall", "alot")."""
    return f"Skrivs som flera ord: {phrase}."


def name_capitalised(language: Language) -> str:
    """A name written in lower case ("sverige", "american")."""
    return _NAME_CAPITALISED[language]


def case_error(flag: CaseFlag) -> str:
    """A sentence start in lower case, or a word capitalised inside a sentence."""
    if flag.error is CaseError.SENTENCE_START:
        return "En mening börjar med stor bokstav."
    if flag.error is CaseError.LOWER_CASE_CLASS and flag.kind in _LOWER_CASE_CLASSES:
        return _LOWER_CASE_CLASSES[flag.kind]
    return "Inne i en mening skrivs vanliga ord med liten bokstav."
