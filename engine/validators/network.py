"""IP addresses and e-mail addresses (assets/rules/pii.toml): the addresses of the network.

Dotted quads are also version numbers (libfoo 1.2.3.4), netmasks and documentation addresses; colons and
hex are also timestamps and C++ scopes; an `@` between words is also an asset name (icon@2x.png), git@host or
a credit line's published address. The checks here keep the addresses that point at a host or a mailbox.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from types import MappingProxyType

from engine.validators.text_shape import Validator, bounded, preceded_by_number

# The inputs here are short matches already bounded by RE2 patterns; the stdlib `re`
# below only ever sees such bounded values, never the whole untrusted text.


# -- IP addresses -----------------------------------------------------------------------------------------------

_VERSION_WORDS = re.compile(
    r"(?:^|[^a-z])(?:v|ver|version|versions|release|rel|build|rev|revision|firmware|fw|sdk|section|sec|"
    r"chapter|step|oid|mib|tag|patch|update|kb|§)[\s:=#(\[\"']*$"
)
_VERSION_OPERATORS = ("==", "~=", ">=", "<=", "!=", "^", "~")
_NETMASK_OCTETS = frozenset({0, 128, 192, 224, 240, 248, 252, 254, 255})
_IPV4_DOC_NETS = tuple(ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"))
_IPV6_DOC_NET = ipaddress.ip_network("2001:db8::/32")


def _version_context(context: str) -> bool:
    ctx = context.rstrip()
    return bool(_VERSION_WORDS.search(ctx)) or ctx.endswith(_VERSION_OPERATORS)


@bounded(64)
def validate_ipv4(value: str, context: str) -> bool:
    """Dotted quad with octets 0..255 (no leading zeros) that is not a version, mask, loopback or doc address."""
    parts = value.split(".")
    if len(parts) != 4 or not all(p.isascii() and p.isdigit() and len(p) <= 3 for p in parts):
        return False
    if any(len(p) > 1 and p[0] == "0" for p in parts):
        return False
    octets = [int(p) for p in parts]
    if any(o > 255 for o in octets):
        return False
    if preceded_by_number(context, across_gap=False) or _version_context(context):
        return False
    if context.endswith(":") and context[-2:-1].isdigit():  # Debian epoch: 8:6.9.11.60+dfsg
        return False
    addr = ipaddress.IPv4Address(value)
    if addr.is_unspecified or addr.is_loopback or addr == ipaddress.IPv4Address("255.255.255.255"):
        return False
    if octets[0] == 255 and all(o in _NETMASK_OCTETS for o in octets):
        return False
    return not any(addr in net for net in _IPV4_DOC_NETS)


_HEX_GROUP = re.compile(r"[0-9A-Fa-f]{1,4}")


@bounded(80)
def validate_ipv6(value: str, context: str) -> bool:
    """An IPv6 address the stdlib accepts, that looks like one (not "::", "1::2", "Foo::Bar", 12:30:45)."""
    text = value.split("%", 1)[0]
    if text.count(":") < 2 or ":::" in text or text.endswith("::"):  # "fec0::" is a prefix, not a host
        return False
    if context.endswith((":", ".")) or context[-1:].isalnum():
        return False
    addr = ipaddress.IPv6Address(text)  # raises on anything malformed -> False
    groups = _HEX_GROUP.findall(text.rsplit(":", 1)[0] if "." in text else text)
    if not any(ch.isdigit() for ch in text):  # "Abc::Def", "cafe::beef": code, not addresses
        return False
    if max((len(g) for g in groups), default=0) < 3 and len(groups) < 4:  # "1::2", "10::20"
        return False
    if addr.is_unspecified or addr.is_loopback or addr in _IPV6_DOC_NET:
        return False
    return not (addr.ipv4_mapped is not None and not validate_ipv4(str(addr.ipv4_mapped), ""))


# -- e-mail -----------------------------------------------------------------------------------------------------

_RESERVED_DOMAINS = ("example.com", "example.net", "example.org", "localhost")
# Local parts that name no one: the sample address of documentation and test code (example@vendor.com).
_PLACEHOLDER_LOCALS = frozenset(
    {"example", "sample", "test", "foo", "bar", "foobar", "someone", "somebody", "username", "yourname",
     "your.name", "your-name", "your_name", "youremail", "your.email", "your-email", "your_email", "email"}
)  # fmt: skip
_RESERVED_TLDS = ("example", "test", "invalid", "localhost", "local", "internal")
_FILE_TLDS = frozenset(
    {"png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "css", "js", "mjs", "ts", "tsx", "jsx", "map",
     "json", "lock", "yml", "yaml", "toml", "txt", "html", "xml", "csv", "log", "tar", "zip", "gz", "whl", "exe"}
)  # fmt: skip


@bounded(320)
def validate_email(value: str, context: str) -> bool:
    """An address someone reads mail at: not a reserved/test domain, a sample address (example@…), an asset
    name (icon@2x.png), git@host, or a credit line's published address."""
    local, _, domain = value.rpartition("@")
    if not local or not domain or len(local) > 64 or len(domain) > 253:
        return False
    domain = domain.lower()
    labels = domain.split(".")
    if any(not 1 <= len(label) <= 63 for label in labels):
        return False
    if labels[-1] in _FILE_TLDS or labels[-1] in _RESERVED_TLDS:
        return False
    if domain in _RESERVED_DOMAINS or any(domain.endswith("." + d) for d in _RESERVED_DOMAINS):
        return False
    if re.fullmatch(r"\d+(?:\.\d+)?x", labels[0]):  # logo@2x.png, icon@1.5x.webp
        return False
    if any(label in ("domain", "yourdomain", "mydomain", "yourcompany") for label in labels[:-1]):
        return False  # user@domain.com, me@host.domain.name: documentation placeholders
    if local.lower() in _PLACEHOLDER_LOCALS or local.lower() == "git":  # a sample address, or git@host
        return False
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    if is_attribution(context):
        return False
    return not context.endswith(("://", "/"))  # a path or URL segment such as /users/@me


# A line that credits a person: the address in it was published with the work, not leaked from a mailbox.
_CREDIT_CUE = re.compile(
    r"copyright|©|author|maintainer|contributor"
    r"|(?:written|maintained|debianized|packaged|contributed|created|developed) by"
    r"|(?:signed-off|co-authored|reviewed|acked|tested|reported|suggested)-by"
)
# A continuation line of a copyright list: "  2003-2015, Jane Doe <" (a year or range, a name, an open bracket).
_CREDIT_LIST_LINE = re.compile(
    r"\s*(?:(?:19|20)\d\d(?:\s*[-–,]\s*(?:19|20)?\d\d)*,?|\?{4})\s+[^<>@\[\]()\n]{2,60}[<\[(]"
)


def is_attribution(context: str) -> bool:
    """The address ends a credit line (Copyright, Author, Signed-off-by, a copyright list's "2003, Name <")."""
    line = context.rpartition("\n")[2]
    return bool(_CREDIT_CUE.search(line) or _CREDIT_LIST_LINE.fullmatch(line))


VALIDATORS: Mapping[str, Validator] = MappingProxyType(
    {"ipv4": validate_ipv4, "ipv6": validate_ipv6, "email": validate_email}
)
