"""The words that name each national identity number, and how they are found in the text before a value.

A bare run of digits whose check is weak (a Luhn or Verhoeff digit rejects only 9 in 10) is taken for an
identity number only where the text just before it names the number (``steuer-id``, ``cpf``, ``aadhaar``,
``आधार`` …) with no other field in between.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType


def name_regex(words: Iterable[str]) -> re.Pattern[str]:
    """One regex for the words that name an ID in the text before it (lower case).

    A word must start where a word starts (no letter just before it); words of up to four characters
    must also end where a word ends, so that "sin" is not found in "using" nor "cpf" in "cpfoo". Longer
    words (and words in scripts that attach endings: आधार, 주민번호) may run on: "steuer" names the
    Steuer-ID in "steuer-id" and "steueridentifikationsnummer". A space in a word stands for any run of
    spaces, underscores, hyphens and dots ("tax id" finds "tax_id", "TAX-ID"). The match takes in the
    rest of the name it is part of (steuer-id, cpf_titular), so that what follows it is the gap to the value.
    """
    parts = []
    for word in sorted(set(words), key=len, reverse=True):
        body = re.escape(word).replace(r"\ ", r"[\s_\-.]*")
        tail = r"(?![^\W\d_])" if len(word) <= 4 and word.isascii() else ""
        parts.append(body + tail)
    return re.compile(r"(?<![^\W\d_])(?:" + "|".join(parts) + r")[\w\-.]*")


# Between the word that names an ID and the value: the start of another field means the value is that
# field's ("cpf ok; id = 01521306168", "aadhaar upload at ts=975334363945", {"cpf": "x", "id": "…"}).
_OTHER_FIELD = re.compile(r";|[\w\])]\s*=|\"[^\"\n]*\"\s*:|\n\s*[\w\-]+\s*[:=]")


def named(context: str, terms: re.Pattern[str]) -> bool:
    """The text just before the value (CONTEXT_CHARS of it) names the ID, and no other field starts
    between that name and the value."""
    low = context.lower()
    found = list(terms.finditer(low))
    return bool(found) and not _OTHER_FIELD.search(low, found[-1].end())  # the last is the nearest


# Per validator that needs context: the words that name its ID (lower case; a space is any run of spaces,
# underscores, hyphens and dots). A rule with `keywords` must have, for each word, a keyword inside it.
CONTEXT_WORDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "id_de_steuer_id": ("steuer", "identifikationsnummer", "idnr", "id-nr", "id.-nr", "id nr", "tax id",
                            "taxid", "tax identification"),
        "id_fr_nir_named": ("nir", "sécurité sociale", "securite sociale", "sécu", "de secu", "insee", "vitale",
                            "social security", "n° ss", "n°ss", "no ss", "num ss", "numéro ss", "numero ss", "nss"),
        "id_in_aadhaar_named": ("aadhaar", "aadhar", "adhaar", "uidai", "आधार", "আধার", "ஆதார்", "ఆధార్", "ಆಧಾರ್",
                                "ആധാർ", "આધાર", "ਆਧਾਰ", "ଆଧାର"),
        "id_br_cpf_named": ("cpf", "cadastro de pessoa"),
        "id_nl_bsn": ("bsn", "burgerservice", "burger service", "sofinummer", "sofi-nummer", "sofi nummer",
                      "citizen service number"),
        "id_pl_pesel": ("pesel",),
        "id_ch_ahv_named": ("ahv", "avs", "avs/ahv", "ahv/avs", "sozialversicherungsnummer", "versichertennummer",
                            "numéro avs", "numero avs", "n° avs"),
        "id_jp_my_number": ("マイナンバー", "個人番号", "my number", "mynumber", "individual number"),
        "id_se_personnummer": ("personnummer", "personnr", "pers.nr", "pers nr", "pnr", "samordningsnummer",
                               "personal identity number", "personal number", "swedish id"),
        "id_no_fnr": ("fødselsnummer", "fodselsnummer", "foedselsnummer", "fnr", "f.nr", "personnummer", "d-nummer",
                      "national identity number", "norwegian id", "birth number"),
        "id_dk_cpr": ("cpr", "personnummer", "danish id"),
        "id_pt_nif": ("nif", "nipc", "contribuinte", "número fiscal", "numero fiscal", "identificação fiscal",
                      "identificacao fiscal"),
        "id_us_itin_named": ("itin", "taxpayer identification", "individual taxpayer"),
        "id_ca_sin": ("sin", "s.i.n", "social insurance", "assurance sociale", "nas", "n.a.s"),
        "id_au_tfn": ("tfn", "tax file number", "tax file no"),
        "id_au_medicare": ("medicare",),
        "id_be_national_number_named": ("rijksregister", "numéro national", "numero national", "registre national",
                                        "national number", "nationaal nummer", "insz", "niss", "rrn"),
        "id_kr_rrn_named": ("주민등록번호", "주민번호", "주민등록", "rrn", "resident registration"),
        "id_za_id": ("id number", "identity number", "id no.", "id no:", "id-no", "south african id", "rsa id",
                     "sa id"),
        "id_tr_tckn": ("kimlik", "tckn", "tc no", "t.c. no", "turkish id"),
        "id_ro_cnp": ("cnp", "cod numeric personal"),
        "id_hr_oib": ("oib", "osobni identifikacijski"),
        "id_ie_ppsn": ("pps", "ppsn", "personal public service"),
    }
)  # fmt: skip
TERMS = {name: name_regex(words) for name, words in CONTEXT_WORDS.items()}
