"""Reading and writing workbook files (the only layer that imports Excel libraries)."""
