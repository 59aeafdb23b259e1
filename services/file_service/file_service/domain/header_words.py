"""Word lists the student-header parser uses to tell names from labels and essay titles."""

from __future__ import annotations

# Labels that introduce the student's name (lower case, Swedish and English).
NAME_LABELS = frozenset(
    (
        "namn",
        "name",
        "elev",
        "elevnamn",
        "elevens namn",
        "student",
        "student name",
        "studentens namn",
        "författare",
        "forfattare",
        "author",
        "full name",
        "fullständigt namn",
        "för- och efternamn",
        "för och efternamn",
        "skriven av",
        "written by",
        "your name",
        "ditt namn",
    )
)
# Single-word name labels a misspelling ("Nman", "Studnet") is compared with.
FUZZY_NAME_LABELS = frozenset(label for label in NAME_LABELS if " " not in label and len(label) > 3)

_OTHER_LABELS = """
    klass class datum date kurs course lärare larare teacher mentor ämne subject titel title
    rubrik skola school grupp group program uppgift assignment e-post epost e-mail email mail
    personnummer ord words
"""
# Other header labels; their values are never names and they end a name's value.
OTHER_LABELS = frozenset(_OTHER_LABELS.split()) | {"antal ord"}

# Lower-case particles that belong inside names ("Anna af Klint", "Ludwig van Beethoven").
_PARTICLES = "af al bin da de del den der di du la le ten van von"
NAME_PARTICLES = frozenset(_PARTICLES.split())

_TITLE_WORDS = """
    a about after against all an and are as at be because before best better between bad but by
    can could do does essay every for from good has have how i if in into introduction is it
    its less more most my new no not of old on or our should so some than that the their them
    these they this those to too vs versus was we were what when where which who why with
    without would you your argumentative conclusion assignment draft
    om min mitt mina din ditt dina vår vårt våra en ett den det de dem dom och i på av för
    till med utan mot från är var varför hur vad när vem som att inte eller men så alla jag
    vi du ni han hon sig uppsats uppsatsen essä essän debattartikel krönika argumenterande
    text texten inledning avslutning slutsats rubrik uppgift bör ska skall kan borde måste
    climate change global warming social media school schools life future technology
    environment society sleep friendship love health music sport sports education homework
    phone phones mobile internet games video artificial intelligence freedom democracy war
    peace travel holiday family summer winter autumn world day time history language languages
    english swedish engelska svenska sommar vinter höst skola skolan skolor livet liv framtid
    framtiden miljö miljön klimat klimatet samhälle samhället sociala medier mobil mobiler
    mobiltelefoner mobilförbud sömn vänskap kärlek hälsa musik idrott utbildning läxor
    datorspel spel internet demokrati frihet krig fred resa familj familjen världen dag tid
    historia språk sweden sverige
"""
# Words that occur in essay titles and headings but not in names.
TITLE_WORDS = frozenset(_TITLE_WORDS.split())

# Endings of abstract nouns that head titles ("Education", "Friendship", "Ensamhet").
_SUFFIXES = "tion sion ism ity ness ment ance ology ship hood het skap ande"
TITLE_SUFFIXES = tuple(_SUFFIXES.split())

# Labels whose value may be a course ("Kurs: Engelska 6"), lower case.
COURSE_LABELS = frozenset(
    (
        "kurs",
        "kursnamn",
        "kurskod",
        "kursens namn",
        "course",
        "course name",
        "course code",
        "ämne",
        "amne",
        "subject",
    )
)
