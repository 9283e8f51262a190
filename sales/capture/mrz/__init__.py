"""Machine-readable zones (ICAO 9303): parsing and checking (parse.py), reading images (reader.py)."""
