"""Class Management Service: courses, classes, students (encrypted PII), essay authors."""
