"""Adopting a register or SoA kept in another layout into the project's form (``isms-xl adopt``).

``mapping`` decides which column is which (header synonyms, or the user's mapping file) and
writes the draft mapping when it cannot; ``convert`` turns the rows into the form's records
(pure); ``run`` holds the Excel side.
"""
