"""Every teacher notification's text in Swedish and English: the one catalogue.

Texts use str.format fields, which vue-i18n reads the same way ({name}); keep `|`, `@`, `$`
and literal braces out of them so the web app's copy compiles unchanged. A code with several
texts maps the `variant` parameter's value to each.
"""

from __future__ import annotations

from common_core.notifications.codes import Message
from common_core.notifications.codes import NotificationCode as C

Texts = Message | dict[str, Message]

_READY = ("ready_count",)
_READY_MISSING = ("ready_count", "missing_count")
_AUTHORS_SV = " Bekräfta vilken elev som skrev varje uppsats innan bearbetningen."
_AUTHORS_EN = " Confirm which student wrote each essay before processing."

CATALOGUE: dict[C, Texts] = {
    C.BATCH_REGISTERED: Message(
        ("expected_count",),
        "Satsen är registrerad: ladda upp {expected_count} uppsats(er).",
        "Batch registered: upload {expected_count} essay(s).",
    ),
    C.FILES_UPLOADED: Message(
        ("accepted_count", "rejected_count"),
        "{accepted_count} fil(er) togs emot, {rejected_count} avvisades.",
        "{accepted_count} file(s) accepted, {rejected_count} rejected.",
    ),
    C.FILE_REMOVED: Message(
        ("file_name",),
        "{file_name} togs bort ur satsen.",
        "{file_name} was removed from the batch.",
    ),
    C.BATCH_ESSAYS_READY: Message(
        _READY,
        "Alla uppsatser är på plats ({ready_count} klara).",
        "Every essay is in ({ready_count} ready).",
    ),
    C.BATCH_ESSAYS_PARTIALLY_READY: Message(
        ("ready_count", "expected_count"),
        "Tiden för uppladdning gick ut: {ready_count} av {expected_count} uppsatser är klara att"
        " bearbeta.",
        "The upload time ran out: {ready_count} of {expected_count} essays are ready for"
        " processing.",
    ),
    C.BATCH_ESSAYS_UPDATED: Message(
        ("ready_count", "expected_count"),
        "Fler uppsatser kom med: {ready_count} av {expected_count} är klara.",
        "More essays joined: {ready_count} of {expected_count} are ready.",
    ),
    C.BATCH_NO_USABLE_ESSAYS: Message(
        ("rejected_count",),
        "Ingen användbar uppsats laddades upp ({rejected_count} fil(er) avvisades). Ladda upp nya"
        " filer till satsen.",
        "No usable essay was uploaded ({rejected_count} file(s) rejected). Upload new files to"
        " the batch.",
    ),
    C.DUPLICATE_CONTENT: Message(
        ("file_name", "duplicate_of_file_name"),
        "{file_name} har samma innehåll som {duplicate_of_file_name} och räknas inte två gånger.",
        "{file_name} has the same content as {duplicate_of_file_name} and is not counted twice.",
    ),
    C.EXCESS_CONTENT: {
        "processing_started": Message(
            ("file_name",),
            "{file_name} kom fram först när bearbetningen hade börjat och ingår inte i den."
            " Skapa en ny sats för den.",
            "{file_name} arrived after processing had started and is not part of it. Create a"
            " new batch for it.",
        ),
        "no_free_slot": Message(
            ("file_name", "expected_count"),
            "{file_name} fick ingen plats: alla {expected_count} platser i satsen har redan en"
            " uppsats.",
            "{file_name} found no place: all {expected_count} places in the batch already hold"
            " an essay.",
        ),
    },
    C.BATCH_READY: {
        "complete": Message(
            _READY,
            "Alla {ready_count} uppsats(er) är på plats. Satsen är redo att bearbetas.",
            "All {ready_count} essay(s) are in. The batch is ready for processing.",
        ),
        "partial": Message(
            _READY_MISSING,
            "Satsen är redo med {ready_count} uppsats(er); {missing_count} saknas. Du kan starta"
            " bearbetningen nu.",
            "Batch ready with {ready_count} essay(s); {missing_count} missing. You can start"
            " processing now.",
        ),
        "class_complete": Message(
            _READY,
            "Eleverna är bekräftade för {ready_count} uppsats(er). Satsen är redo att bearbetas.",
            "The students are confirmed for {ready_count} essay(s). The batch is ready for"
            " processing.",
        ),
        "class_partial": Message(
            _READY_MISSING,
            "Eleverna är bekräftade för {ready_count} uppsats(er); {missing_count} saknas."
            " Satsen är redo att bearbetas.",
            "The students are confirmed for {ready_count} essay(s); {missing_count} missing."
            " The batch is ready for processing.",
        ),
    },
    C.BATCH_AWAITING_STUDENT_VALIDATION: {
        "complete": Message(
            _READY,
            "{ready_count} uppsats(er) är på plats." + _AUTHORS_SV,
            "{ready_count} essay(s) are in." + _AUTHORS_EN,
        ),
        "partial": Message(
            _READY_MISSING,
            "{ready_count} uppsats(er) är på plats ({missing_count} saknas)." + _AUTHORS_SV,
            "{ready_count} essay(s) are in ({missing_count} missing)." + _AUTHORS_EN,
        ),
    },
    C.STUDENT_MATCHING_REQUIRED: Message(
        ("essay_count", "suggested_count"),
        "Bekräfta vem som skrev uppsatserna ({essay_count} st): {suggested_count} har en"
        " föreslagen elev.",
        "Please confirm who wrote the {essay_count} essay(s): {suggested_count} have a suggested"
        " student.",
    ),
    C.STUDENT_ASSOCIATIONS_CONFIRMED: {
        "by_teacher": Message(
            ("essay_count",),
            "Författarna till {essay_count} uppsats(er) är bekräftade.",
            "The authors of {essay_count} essay(s) are confirmed.",
        ),
        "by_timeout": Message(
            ("essay_count",),
            "Författarna till {essay_count} uppsats(er) bekräftades automatiskt när tiden för"
            " bekräftelse gick ut.",
            "The authors of {essay_count} essay(s) are confirmed automatically after the"
            " confirmation deadline.",
        ),
    },
    C.STUDENT_MATCHING_CLASS_MISSING: Message(
        (),
        "Klassen som satsen registrerades för finns inte längre, så uppsatserna kunde inte"
        " kopplas till elever; satsen fortsätter utan författare.",
        "The class this batch was registered for no longer exists, so its essays could not be"
        " matched to students; the batch continues without authors.",
    ),
    C.PHASE_STARTED: {
        "started": Message(
            ("phase", "essay_count"),
            "Bearbetningen ({phase}) startade för {essay_count} uppsats(er).",
            "Started {phase} for {essay_count} essay(s).",
        ),
        "retry": Message(
            ("phase", "essay_count"),
            "Bearbetningen ({phase}) körs igen för {essay_count} uppsats(er).",
            "Retrying {phase} for {essay_count} essay(s).",
        ),
    },
    # One text per phase (the variant is the phase name).
    C.PHASE_TIMED_OUT: {
        "spellcheck": Message(
            ("timeout_seconds", "essay_count", "file_names"),
            "Stavningskontrollen blev inte klar inom {timeout_seconds} s för {essay_count}"
            " uppsats(er): {file_names}. De har markerats som misslyckade och kan köras igen.",
            "The spellcheck did not finish within {timeout_seconds} s for {essay_count} essay(s):"
            " {file_names}. They are marked as failed and can be run again.",
        ),
        "grammar": Message(
            ("timeout_seconds", "essay_count", "file_names"),
            "Grammatikgranskningen blev inte klar inom {timeout_seconds} s för {essay_count}"
            " uppsats(er): {file_names}. De har markerats som misslyckade och kan köras igen.",
            "The grammar check did not finish within {timeout_seconds} s for {essay_count}"
            " essay(s): {file_names}. They are marked as failed and can be run again.",
        ),
    },
    C.PHASE_COMPLETED: {
        "spellcheck": Message(
            ("succeeded_count", "total_count"),
            "Stavningskontrollen är klar: {succeeded_count} av {total_count} lyckades.",
            "The spellcheck is done: {succeeded_count} of {total_count} succeeded.",
        ),
        "grammar": Message(
            ("succeeded_count", "total_count"),
            "Grammatikgranskningen är klar: {succeeded_count} av {total_count} lyckades.",
            "The grammar check is done: {succeeded_count} of {total_count} succeeded.",
        ),
    },
    C.PIPELINE_COMPLETED: Message(
        ("successful_count", "failed_count"),
        "Bearbetningen är klar: {successful_count} uppsats(er) lyckades, {failed_count}"
        " misslyckades.",
        "Processing finished: {successful_count} essay(s) succeeded, {failed_count} failed.",
    ),
    C.PIPELINE_DENIED: {
        "batch_not_found": Message((), "Satsen hittades inte.", "The batch was not found."),
        "unknown_pipeline": Message(
            ("pipeline",),
            "Det finns ingen bearbetning som heter {pipeline}.",
            "No pipeline named {pipeline} is defined.",
        ),
        "awaiting_students": Message(
            (),
            "Bekräfta först vilken elev som skrev varje uppsats; sedan kan satsen bearbetas.",
            "Confirm which student wrote each essay first; then the batch can be processed.",
        ),
        "awaiting_essays": Message(
            (),
            "Satsen väntar fortfarande på sina uppsatser; försök igen när den är redo.",
            "The batch is still waiting for its essays; try again when it is ready.",
        ),
        "already_running": Message(
            (),
            "En bearbetning pågår redan för satsen.",
            "A pipeline is already running for the batch.",
        ),
        "already_run": Message(
            ("pipeline",),
            "Bearbetningen {pipeline} har redan körts för den här satsen.",
            "The {pipeline} pipeline has already run for this batch.",
        ),
        "cannot_run_now": Message(
            (), "Satsen kan inte bearbetas just nu.", "The batch cannot run a pipeline now."
        ),
        "no_essays": Message(
            (), "Satsen har inga uppsatser att bearbeta.", "The batch has no essays to process."
        ),
    },
    C.ESSAY_RESULTS_AVAILABLE: Message(
        ("essay_name", "processed_count", "expected_count"),
        "Resultaten för {essay_name} är klara ({processed_count} av {expected_count} uppsats(er)"
        " klara).",
        "Results for {essay_name} are ready ({processed_count} of {expected_count} essay(s) done).",
    ),
    C.BATCH_RESULTS_READY: Message(
        ("processed_count", "failed_count"),
        "Resultaten är klara: {processed_count} uppsats(er) bearbetade, {failed_count}"
        " misslyckades.",
        "Results are ready: {processed_count} essay(s) processed, {failed_count} failed.",
    ),
    C.CLASS_CREATED: Message(
        ("class_name",), "Klassen {class_name} skapades.", "Class {class_name} created."
    ),
    C.CLASS_UPDATED: Message(
        ("class_name",), "Klassen {class_name} uppdaterades.", "Class {class_name} updated."
    ),
    C.CLASS_DELETED: Message(
        ("class_name",), "Klassen {class_name} togs bort.", "Class {class_name} deleted."
    ),
    C.STUDENT_CREATED: Message((), "Eleven lades till.", "Student added."),
    C.STUDENT_UPDATED: Message((), "Elevens uppgifter uppdaterades.", "Student details updated."),
    C.STUDENT_ERASED: Message(
        (),
        "Eleven och elevens personuppgifter raderades.",
        "Student and their personal data erased.",
    ),
    C.STUDENT_ENROLLED: Message(
        ("class_name",), "Eleven lades till i {class_name}.", "Student added to {class_name}."
    ),
    C.STUDENT_UNENROLLED: Message(
        ("class_name",),
        "Eleven togs bort från {class_name}.",
        "Student removed from {class_name}.",
    ),
    C.ROSTER_IMPORTED: Message(
        ("class_name", "created_count", "existing_count"),
        "Elevlistan importerades till {class_name}: {created_count} nya, {existing_count}"
        " befintliga.",
        "Roster imported into {class_name}: {created_count} new, {existing_count} existing.",
    ),
}
