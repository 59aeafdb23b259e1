"""Per-language word lists that tune the dictionaries to Swedish upper-secondary essays.

Kept deliberately small; every entry is a word students write often that the dictionary
lacks (modern vocabulary, abbreviations) or a frequent learner error whose fix is not a
single dictionary word (a split compound, a missing apostrophe). A known fix is only ever a
suggestion for a word the dictionary rejects: it never flags a word hunspell accepts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from common_core.enums import Language


@dataclass(frozen=True)
class LanguageRules:
    """Words never flagged, abbreviations, fixed corrections ranked before the dictionary's,
    and the language's compound and capitalisation conventions."""

    allowlist: frozenset[str] = frozenset()
    abbreviations: frozenset[str] = frozenset()
    known_fixes: dict[str, str] = field(default_factory=dict)
    # Languages that write compounds as one word look for ones written apart (särskrivning).
    joins_compounds: bool = False
    # Prefixes always joined to the next word ("jättebra"), whatever its frequency.
    compound_prefixes: frozenset[str] = frozenset()
    # Words written in lower case inside a sentence, and what they are ("nationality", ...).
    lower_case: dict[str, str] = field(default_factory=dict)


def _forms(stems: str, endings: tuple[str, ...], kind: str) -> dict[str, str]:
    """Every stem with every ending, as one kind (forms the language lacks never match a
    word the dictionary accepts, so overgenerating is harmless)."""
    return {stem + ending: kind for stem in stems.split() for ending in endings}


# General Swedish conventions (Språkrådet's), not taken from any test text.
_SWEDISH_LOWER_CASE = {
    **_forms(
        "svensk engelsk fransk tysk spansk italiensk finsk norsk dansk isländsk polsk rysk "
        "grekisk turkisk arabisk persisk kinesisk japansk koreansk indisk amerikansk "
        "kanadensisk mexikansk brasiliansk afrikansk europeisk asiatisk somalisk eritreansk "
        "etiopisk syrisk irakisk iransk afghansk kurdisk thailändsk vietnamesisk ukrainsk "
        "portugisisk holländsk nederländsk belgisk schweizisk österrikisk ungersk rumänsk "
        "bosnisk serbisk kroatisk albansk estnisk lettisk litauisk australisk chilensk "
        "colombiansk argentinsk marockansk egyptisk pakistansk filippinsk samisk",
        ("", "a", "t", "e", "an", "ar", "arna"),
        "nationality",
    ),
    **_forms(
        "måndag tisdag onsdag torsdag fredag lördag söndag",
        ("", "en", "ar", "arna", "s"),
        "weekday",
    ),
    **_forms(
        "januari februari mars april maj juni juli augusti september oktober november december",
        ("",),
        "month",
    ),
}


ENGLISH = LanguageRules(
    # Everyday words of teenage essays missing from pyspellchecker's and symspell's lists.
    allowlist=frozenset(
        {
            "ok",
            "okay",
            "tv",
            "online",
            "email",
            "emails",
            "smartphone",
            "smartphones",
            "wifi",
            "selfie",
            "selfies",
            "instagram",
            "youtube",
            "youtuber",
            "youtubers",
            "tiktok",
            "snapchat",
            "facebook",
            "internet",
            "covid",
            "texting",
            "gaming",
            "esports",
            "app",
            "apps",
            "vlog",
            "vlogs",
            "influencer",
            "influencers",
        }
    ),
    abbreviations=frozenset(
        {"e.g", "i.e", "etc", "a.m", "p.m", "vs", "mr", "mrs", "ms", "dr", "st", "u.s", "u.k"}
    ),
    known_fixes={
        "alot": "a lot",
        "aswell": "as well",
        "infront": "in front",
        "eachother": "each other",
        "everytime": "every time",
        "incase": "in case",
        "dont": "don't",
        "doesnt": "doesn't",
        "didnt": "didn't",
        "isnt": "isn't",
        "wasnt": "wasn't",
        "arent": "aren't",
        "werent": "weren't",
        "havent": "haven't",
        "hasnt": "hasn't",
        "couldnt": "couldn't",
        "wouldnt": "wouldn't",
        "shouldnt": "shouldn't",
        "im": "I'm",
        "ive": "I've",
        "thats": "that's",
        "theyre": "they're",
        "youre": "you're",
        "theres": "there's",
    },
)

SWEDISH = LanguageRules(
    # Modern words hunspell's sv_SE list predates, and spoken forms accepted in essays.
    allowlist=frozenset(
        {
            "okej",
            "ok",
            "mejl",
            "mejla",
            "mejlen",
            "sms",
            "sms:a",
            "tv",
            "instagram",
            "youtube",
            "tiktok",
            "snapchat",
            "facebook",
            "covid",
            "online",
            "appen",
            "appar",
            "apparna",
            "googla",
            "googlade",
            "streama",
            "streamar",
            "influencer",
            "influencers",
            "gamer",
            "gamers",
            "gaming",
        }
    ),
    abbreviations=frozenset(
        {
            "t.ex",
            "bl.a",
            "m.m",
            "m.fl",
            "osv",
            "o.s.v",
            "dvs",
            "d.v.s",
            "s.k",
            "t.o.m",
            "fr.o.m",
            "p.g.a",
            "pga",
            "ca",
            "kl",
            "nr",
            "st",
            "etc",
            "mfl",
            "resp",
            "jmf",
        }
    ),
    known_fixes={
        "isåfall": "i så fall",
        "tillexempel": "till exempel",
        "förmycket": "för mycket",
        "ialla": "i alla",
        "påriktigt": "på riktigt",
    },
    joins_compounds=True,
    compound_prefixes=frozenset({"jätte", "super", "mega"}),
    lower_case=_SWEDISH_LOWER_CASE,
)

RULES: dict[Language, LanguageRules] = {Language.ENGLISH: ENGLISH, Language.SWEDISH: SWEDISH}
