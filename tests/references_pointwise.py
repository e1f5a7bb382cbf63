"""NumPy references for catalog rows; see references.py for the fields."""

REFERENCES = []
