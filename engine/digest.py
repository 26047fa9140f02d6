"""Digests of texts (sha256, blake2b) from Python's own modules, without loading OpenSSL.

`import hashlib` maps OpenSSL's libcrypto: 3.6 MiB resident in every process that
scans, for digests of texts no longer than the scan limit. Model files, hundreds
of MiB to hash, still go through hashlib (engine.models), in the process that
loads the models.
"""

from __future__ import annotations

try:
    from _sha2 import sha256  # Python 3.12 and later
except ImportError:  # pragma: no cover - depends on the Python version
    try:
        from _sha256 import sha256  # Python 3.11
    except ImportError:  # an interpreter without the module: hashlib has it all the same
        from hashlib import sha256
try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover
    from hashlib import blake2b

__all__ = ["blake2b", "sha256"]
