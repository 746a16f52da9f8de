"""isms_xl: the Excel workbooks of an ISO/IEC 27001 ISMS, read, recomputed, cross-checked and
written back without losing what their users put there."""

__version__ = "0.1.0"

__all__ = ["__version__"]
