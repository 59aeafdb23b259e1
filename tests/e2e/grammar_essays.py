"""English essays written for the grammar e2e tests, each with two errors LanguageTool 6.6 flags.

"He go to school every day." is HE_VERB_AGR (category GRAMMAR); "I was to tired" is TO_TOO
(CONFUSED_WORDS). The other sentences are plain, correct English, shuffled per essay so no two
files have the same content (the File Service refuses duplicates).
"""

from __future__ import annotations

import random

AGREEMENT = "He go to school every day."
TOO = "After the match I was to tired to do my homework."
PLAIN = (
    "My brother is twelve years old and he likes football more than anything else.",
    "Our school is close to the river, so we often walk there after lunch.",
    "Last spring our class planted apple trees behind the library.",
    "The teacher asked us to write about a place that matters to us.",
    "I chose the small harbour where my grandfather keeps his boat.",
    "In the summer we catch fish there and cook them on an open fire.",
    "The water is cold, but the evenings are long and bright.",
    "My friends think the harbour is boring because nothing happens there.",
    "I like it because it is quiet and I can think about the future.",
    "Next year I want to learn how to sail on my own.",
    "My grandfather says that patience is the most important thing on the sea.",
    "When the weather turns bad, we sit in the cabin and play cards.",
)


def grammar_essay(student: str, seed: int, repeats: int = 1) -> str:
    """A student header, the two errors once each, then the plain sentences `repeats` times."""
    rng = random.Random(seed)
    paragraphs = []
    for _ in range(repeats):
        sentences = list(PLAIN)
        rng.shuffle(sentences)
        paragraphs.append(" ".join(sentences))
    return f"Name: {student}\n\n{AGREEMENT} {TOO}\n\n" + "\n\n".join(paragraphs) + "\n"
