"""The roster: courses, classes, students, enrolments and roster CSV imports."""
