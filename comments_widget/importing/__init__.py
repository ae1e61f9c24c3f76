"""Moving comments in and out: importers for other systems' exports, and our own export.

Each format module turns one export into `SourceComment`s (records.py), streaming; writer.py
stores them through the same sanitiser and content rules as a new comment, in batches,
remembering each one's origin so an import can be run again safely. native.py writes and
restores our own export (docs/export-format.md).
"""
