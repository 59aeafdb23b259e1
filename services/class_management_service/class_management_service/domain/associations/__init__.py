"""Author matching: suggest each essay's author, let the teacher confirm, time out the rest."""
