"""The programme office's files: the tabular reader (CSV/XLSX), imports, exports, sample files and backups."""
