"""The audit pack: one folder (or zip) an ISMS office hands to its auditors, and the check that
it is what was handed over.

``build_pack(folder, out)`` makes it (build.py has the layout); ``verify_pack(out)`` names every
file changed, added or removed since (manifest.py).
"""

from isms_xl.pack.build import PackResult, build_pack
from isms_xl.pack.manifest import PackCheck, verify_pack

__all__ = ["PackCheck", "PackResult", "build_pack", "verify_pack"]
