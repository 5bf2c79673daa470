"""Domain value types that are not the OKR model itself (reviews, drafts, team summaries).

Pure data: no files, SQLite, HTTP or terminals; services build them, renderers read them.
"""
