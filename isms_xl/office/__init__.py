"""Helpers that drive external office applications (LibreOffice headless)."""
