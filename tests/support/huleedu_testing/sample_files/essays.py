"""Argumentative learner essays in English and Swedish, written for HuleEdu's tests and demos.

The paragraphs keep a few typical learner mistakes on purpose ("alot", "more easier", "dom",
"grupp chatt") so the spell checker has something to find.
"""

from __future__ import annotations

import random

_EN_TITLE = "Why School Should Start Later"
_EN_INTRO = (
    "Every morning at half past six my alarm goes off and I feel like I have not slept at all. "
    "I am not the only one. Alot of students in my class says the same thing, and many of them "
    "sleep through the first lesson. In this essay I will argue that upper secondary schools in "
    "Sweden should start the school day later, at around nine o\u2019clock instead of eight."
)
_EN_BODY = (
    "The first reason is that teenagers bodies work in a different rhythm then adults. "
    "Researchers has shown that the hormone that makes us sleepy arrives later in the evening "
    "when you are a teenager. This means that even if I go to bed at ten, I often lie awake "
    "until midnight. It is not because we are lazy or because we play games all night, it is "
    "simply biology.",
    "Secondly, students would learn more if they was awake in class. When I have maths at eight "
    "in the morning I can barely follow what the teacher is saying, but the same kind of task "
    "feels much more easier after lunch. If school started later, the lessons would be more "
    "effective and the teachers would not have to repeat the same informations again and again.",
    "Another argument is health. Lack of sleep is connected to stress, bad mood and even "
    "depression. Many young peoples today feel pressure from school, social media and their "
    "parents at the same time. A extra hour of sleep is a simple way to make everyday life a "
    "little bit easier, and it dont cost the school any money.",
    "Of course there are people who think this is a bad idea. Some say that students will just "
    "go to bed later and that nothing will change. Others point out that parents has to go to "
    "work early and that the buses are planned after the current schedule. These are fair "
    "points, but I think they can be solved. Buses can be moved, and most students in upper "
    "secondary school can get to school by themself.",
    "It is also worth to mention that schools in other countries has already tried this. In "
    "parts of the United States, schools that moved their start time reported that students "
    "was late less often and that there grades improved slightly. If it works there, I "
    "definately think it could work here too.",
    "A later start could also make students more motivated. When you are tired everything feels "
    "heavy, and it is easy to give up on a difficult text or a hard maths problem. A student who "
    "has slept enough has more energy to ask questions, discuss with classmates and actually "
    "enjoy learning, which is the whole point of going to school in the first place.",
)
_EN_CONCLUSION = (
    "To sum up, I believe that starting the school day later would make students healthier, "
    "more focused and more motivated. The counter-arguments is understandable, but they are "
    "mostly about practical problems that can be fixed. Schools should listen to the research "
    "and to the students, and give us the extra hour of sleep that we need."
)

_SV_TITLE = "Mobilförbud i skolan \u2013 en bra idé?"
_SV_INTRO = (
    "Idag har nästan alla elever en mobiltelefon i fickan, och många använder den under "
    "lektionerna. Regeringen har föreslagit att mobiler ska förbjudas i skolan, och frågan har "
    "diskuterats mycket i medierna. I den här texten kommer jag att argumentera för att ett "
    "mobilförbud under lektionstid är en bra idé, men att eleverna ändå borde få använda "
    "telefonen på rasterna."
)
_SV_BODY = (
    "Mitt första argument är att mobilen stör koncentrationen. När telefonen vibrerar så tittar "
    "man nästan alltid på den, även om man inte vill. Det tar sen flera minuter innan man kommer "
    "tillbaka in i uppgiften. Jag har själv märkt att jag läser mycket bättre när mobilen ligger "
    "i väskan än när den ligger på bänken bredvid mig.",
    "Ett annat argument är att mobilen kan leda till mobbning. Det är lätt att ta en bild på "
    "någon utan att dom vet om det och sprida den i en grupp chatt. Om telefonerna är avstängda "
    "under lektionerna blir det svårare att göra sånt, och lärarna får bättre koll på vad som "
    "händer i klassrummet.",
    "Dessutom tror jag att ett förbud skulle göra att eleverna pratar mer med varandra. På många "
    "skolor sitter alla tysta i korridoren och scrollar på sina skärmar istället för att umgås. "
    "Det är tråkigt, och det påverkar stämningen på skolan. Om man inte har mobilen hela tiden så "
    "måste man faktiskt prata med sina klass kompisar.",
    "Å andra sidan finns det argument mot ett förbud. Många elever använder mobilen som ett "
    "hjälpmedel, till exempel för att lyssna på inlästa böcker eller för att kolla upp ord på "
    "engelska. Vissa föräldrar vill också kunna nå sina barn om något allvarligt händer. Därför "
    "tycker jag inte att mobilen ska förbjudas helt, utan att läraren ska kunna ge lov när den "
    "behövs i undervisningen.",
    "Det finns även dom som säger att ungdomar måste lära sig att hantera mobilen själva och att "
    "ett förbud bara skjuter upp problemet. Det ligger något i det, men jag tror att det är "
    "lättare att lära sig goda vanor när man har tydliga regler att utgå ifrån. Vuxna har ju "
    "också regler för när man får använda telefonen på jobbet.",
    "En sak som ofta glöms bort är att lärarna också påverkas. Om läraren måste säga till elever "
    "om mobilen flera gånger varje lektion så går det mycket tid förlorad. Med ett tydligt "
    "förbud slipper läraren att tjata, och lektionstiden kan användas till det den är till för, "
    "nämligen att lära sig saker.",
)
_SV_CONCLUSION = (
    "Sammanfattningsvis anser jag att mobiltelefoner borde förbjudas under lektionerna eftersom "
    "dom stör koncentrationen, kan användas för mobbning och gör att vi umgås mindre. Samtidigt "
    "är det viktigt att skolan är flexibel så att de elever som behöver telefonen som hjälpmedel "
    "fortfarande kan använda den. Ett förbud med sunt förnuft är den bästa lösningen."
)
_ESSAYS = {
    "en": (_EN_TITLE, _EN_INTRO, _EN_BODY, _EN_CONCLUSION),
    "sv": (_SV_TITLE, _SV_INTRO, _SV_BODY, _SV_CONCLUSION),
}


def essay_text(lang: str, words: int = 500, header: str | None = None, seed: int = 0) -> str:
    """A title and `words` words of essay body (body paragraphs shuffled by seed), after header."""
    title, intro, body, conclusion = _ESSAYS[lang]
    rng = random.Random(seed)
    paragraphs = [intro]
    while _count(paragraphs) + _count([conclusion]) < words:
        middle = list(body)
        rng.shuffle(middle)
        paragraphs.extend(middle)
    paragraphs.append(conclusion)
    blocks = [title, *_cut(paragraphs, words)]
    if header:
        blocks.insert(0, header)
    return "\n\n".join(blocks)


def _count(paragraphs: list[str]) -> int:
    return sum(len(paragraph.split()) for paragraph in paragraphs)


def _cut(paragraphs: list[str], words: int) -> list[str]:
    """The paragraphs cut to exactly `words` words, the last one ending with a full stop."""
    kept: list[str] = []
    left = words
    for paragraph in paragraphs:
        tokens = paragraph.split()
        if left <= 0:
            break
        if len(tokens) > left:
            tokens = tokens[:left]
            tokens[-1] = tokens[-1].rstrip(",;:\u2013") + ("" if tokens[-1][-1] in ".?!" else ".")
        kept.append(" ".join(tokens))
        left -= len(tokens)
    return kept
