"""Grades: rubrics, suggested scores, the grades people set, exports and the report."""
