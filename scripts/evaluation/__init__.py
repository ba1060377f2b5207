"""Evaluation helpers shared by the scripts in scripts/ and by the tests: not part of the package."""
