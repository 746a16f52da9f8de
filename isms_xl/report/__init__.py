"""Reports of a check run: text, JSON (a stable contract), HTML and xlsx."""
