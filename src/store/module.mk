# store: the SQLite cache (its own issue fills this in).
