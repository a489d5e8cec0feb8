"""coordsupervise: supervision of 外国人支援コーディネーター training, over one embedded DuckDB file."""
