"""Fast suggestions from a word list: single edits, ranked by how learners actually misspell
(doubled consonants, å/ä/ö, keyboard neighbours, swapped letters before other typos) and by
how common each candidate is, so the likeliest intended word comes first.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

# How much one zipf step of word frequency (x10 more common) is worth in edit cost; tuned on
# learner sentences: a common word one cheap edit away beats a rare word just as near.
FREQUENCY_WEIGHT = 0.3
# Below this zipf (a few per million words) every one-edit candidate is rare, and a common
# word two edits away is searched too.
RARE_ZIPF = 3.5

SWEDISH_ALPHABET = "abcdefghijklmnopqrstuvwxyzåäöé"

# Substitutions that are cheap because they are common learner confusions.
_CLOSE_PAIRS = {
    frozenset(p)
    for p in ("aå", "aä", "åä", "oö", "oå", "äö", "eä", "eé", "iy", "kc", "sz", "vw", "ck", "jg")
}
_VOWELS = set("aeiouyåäöé")
# Swedish QWERTY rows (English keyboards differ only right of "p" and "l").
_KEY_ROWS = ("qwertyuiopå", "asdfghjklöä", "zxcvbnm")


def _keyboard_neighbours() -> set[frozenset[str]]:
    """Keys side by side in a row, or touching in the row below (a slipped finger)."""
    pairs: set[frozenset[str]] = set()
    for r, row in enumerate(_KEY_ROWS):
        pairs |= {frozenset(row[i : i + 2]) for i in range(len(row) - 1)}
        if r + 1 < len(_KEY_ROWS):
            below = _KEY_ROWS[r + 1]
            pairs |= {
                frozenset((key, below[j]))
                for i, key in enumerate(row)
                for j in (i - 1, i)
                if 0 <= j < len(below)
            }
    return pairs


_KEYBOARD_NEIGHBOURS = _keyboard_neighbours()


def edits1(word: str, alphabet: str = SWEDISH_ALPHABET) -> set[str]:
    """Every string one delete, swap of neighbours, replacement or insertion away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in alphabet if c != b[0]}
    inserts = {a + c + b for a, b in splits for c in alphabet}
    return deletes | swaps | replaces | inserts


def candidates(
    word: str,
    forms: Collection[str],
    accept: Callable[[str], bool],
    *,
    alphabet: str = SWEDISH_ALPHABET,
    frequency: Callable[[str], float] | None = None,
) -> list[str]:
    """Known forms one edit away; else compounds with one edit in their last part; else two
    edits away (short words only). With frequencies, when every form one edit away is rare
    ("engom" -> "enkom"), also forms a learner slip plus one edit away ("genom"). Every
    candidate must also pass `accept` (the full rules)."""
    one = edits1(word, alphabet)
    found = {w for w in one if w in forms}
    if not found and len(word) >= 7:
        found = _compound_candidates(word, forms, alphabet)
    if not found and 3 <= len(word) <= 9:
        found = {w2 for w1 in one for w2 in edits1(w1, alphabet) if w2 in forms}
    elif frequency is not None and max(map(frequency, found), default=0.0) < RARE_ZIPF:
        found |= {w2 for w1 in _slips(word) for w2 in edits1(w1, alphabet) if w2 in forms}
    return [w for w in found if accept(w)]


def _slips(word: str) -> set[str]:
    """Strings one typical learner slip away (a dropped or doubled letter, two letters
    swapped, one vowel for another): the first step of the cheap two-edit search."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    doubled = {a + b[0] + b for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    vowels = {a + v + b[1:] for a, b in splits if b and b[0] in _VOWELS for v in _VOWELS}
    return deletes | doubled | swaps | vowels


def _compound_candidates(word: str, forms: Collection[str], alphabet: str) -> set[str]:
    """`fotbollsträninng` -> `fotbollsträning`: a known head, one edit in the tail."""
    found: set[str] = set()
    for i in range(3, len(word) - 2):
        head, tail = word[:i], word[i:]
        if head in forms or (head.endswith("s") and head[:-1] in forms):
            found |= {head + t for t in edits1(tail, alphabet) if t in forms}
    return found


def edit_cost(a: str, b: str) -> float:
    """Weighted optimal-string-alignment distance: learner-typical edits cost less than 1."""
    rows, cols = len(a) + 1, len(b) + 1
    d = [[0.0] * cols for _ in range(rows)]
    for i in range(rows):
        d[i][0] = float(i)
    for j in range(cols):
        d[0][j] = float(j)
    for i in range(1, rows):
        for j in range(1, cols):
            if a[i - 1] == b[j - 1]:
                d[i][j] = d[i - 1][j - 1]
                continue
            d[i][j] = min(
                d[i - 1][j] + _indel_cost(a, i - 1),
                d[i][j - 1] + _indel_cost(b, j - 1),
                d[i - 1][j - 1] + _substitution_cost(a[i - 1], b[j - 1]),
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 0.6)
    return d[-1][-1]


def rank(
    word: str,
    found: Collection[str],
    limit: int,
    *,
    frequency: Callable[[str], float],
    base_forms: Collection[str] = frozenset(),
) -> list[str]:
    """Lowest learner-weighted edit cost minus frequency (zipf) first; then dictionary base
    forms; then closest length; then a-z."""
    return sorted(
        found,
        key=lambda c: (
            round(edit_cost(word, c) - FREQUENCY_WEIGHT * frequency(c), 3),
            c not in base_forms,
            abs(len(c) - len(word)),
            c,
        ),
    )[:limit]


def _indel_cost(s: str, i: int) -> float:
    # A doubled or undoubled letter ("eftersomm", "rolligt") is the commonest slip.
    if (i > 0 and s[i - 1] == s[i]) or (i + 1 < len(s) and s[i + 1] == s[i]):
        return 0.3
    return 1.0


def _substitution_cost(x: str, y: str) -> float:
    pair = frozenset((x, y))
    if pair in _CLOSE_PAIRS:
        return 0.4
    if pair in _KEYBOARD_NEIGHBOURS:
        return 0.7
    if x in _VOWELS and y in _VOWELS:
        return 0.8
    return 1.0
