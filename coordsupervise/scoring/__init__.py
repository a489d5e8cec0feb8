"""Scoring against rubrics, second marking and moderation."""
