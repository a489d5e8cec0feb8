"""The privacy guard (guard.py, names.py), redaction, retention and the read log."""
