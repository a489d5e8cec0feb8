"""Japanese text as the app stores, searches and shows it: normalised search keys, readings of kanji, user
Markdown made safe, the bounds on free text. Pure functions, no database."""
