"""Normalisation: turn clipboard text into views that the rule tiers can match reliably.

Attackers hide prompt injections from naive matching with homoglyphs, invisible characters,
encodings (base64, hex, URL, rot13, Unicode tags), leetspeak and spaced-out letters. This package
undoes those tricks into *views* of the text while keeping a map back to the ORIGINAL
text, so later stages can report spans the user can see and the app can redact.

Design constraints (this runs on every clipboard change):
- Plain ASCII text takes a fast path: NFKC and confusable folding are identities there, the
  offset map is the identity and no per-character Python objects are built.
- Non-ASCII text is processed with numpy lookup tables over code points, built once (small:
  they stop at _TABLE_LIMIT, the rest of the code space maps to a few sentinel slots).
- Everything that scans untrusted text uses re2 (linear time); decoding is bounded by
  ``max_depth``, ``max_decoded_chars`` and ``max_segments`` and hitting a bound sets
  ``Normalized.truncated``.
- ``normalize`` never raises on a ``str`` (lone surrogates become U+FFFD one-for-one).

One concern per module: views (the views and their offset maps), tables (the
Unicode tables), ascii (byte tables and patterns), unicode_clean (invisibles,
NFKC, confusables), homoglyphs, decoders (base64, hex, URL), rot13, respell
(leetspeak, spaced letters), findings (the obfuscation findings) and expand
(the bounded recursion that makes the views, and `normalize` itself).
"""

from engine.normalize.expand import normalize
from engine.normalize.views import Normalized, View

__all__ = ["Normalized", "View", "normalize"]
