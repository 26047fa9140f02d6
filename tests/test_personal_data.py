"""Personal data told apart by context (assets/rules/pii_context.toml; engine/validators/ dates.py,
identity_documents.py, postal_addresses.py): passports, driving licences, dates of birth, postal addresses,
through the whole rule engine.

All values here are made up (check digits computed for these tests; no real person, document or home).
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.normalize import normalize
from engine.rules import RuleSet
from engine.validators import dates, identity_documents, postal_addresses
from engine.validators.dates import parse_date, validate_birth_date
from engine.validators.identity_documents import mrz_check_digit, validate_passport_mrz, validate_uk_driving_licence
from engine.validators.postal_addresses import validate_postal_address

# The validators of the context-anchored personal data (assets/rules/pii_context.toml).
VALIDATORS = {**identity_documents.VALIDATORS, **dates.VALIDATORS, **postal_addresses.VALIDATORS}

RULESET = RuleSet.load()
PASSPORT = ("pii.passport", "pii.passport_mrz")
LICENCE = ("pii.driving_licence", "pii.driving_licence_uk")
BIRTH = ("pii.date_of_birth",)
ADDRESS = ("pii.address", "pii.address_in", "pii.address_jp", "pii.address_cn", "pii.address_kr")
MINE = PASSPORT + LICENCE + BIRTH + ADDRESS

MRZ_NAME = "P<UTOVANTERPOOL<<KIRA<JOHANNA<<<<<<<<<<<<<<<"
MRZ_DATA = "VK4R27T198UTO8709239F3105146<<<<<<<<<<<<<<<2"


def _found(text: str, rules: tuple[str, ...] = MINE) -> list[str]:
    """The spans of the text that the given rules report, in order."""
    return [text[f.start : f.end] for f in sorted(RULESET.match(normalize(text)), key=lambda f: f.start)
            if f.rule in rules]  # fmt: skip


# -- each type with its context, in several languages; the span is the value, not the word --------------------


@pytest.mark.parametrize(
    ("label", "value"),
    [
        ("Passport No.: ", "583021946"),
        ("US passport number ", "K47203918"),
        ("Reisepassnummer: ", "CF7GH2KT9"),
        ("N° de passeport : ", "18XK40275"),
        ("Pasaporte nº ", "XDB482913"),
        ("Numero di passaporto: ", "YA3857201"),
        ("Número do passaporte: ", "CB482917"),
        ("paspoortnummer ", "NR8K27TX4"),
        ("Nr paszportu: ", "ZB4718395"),
        ("旅券番号: ", "TK4829173"),
        ("护照号码: ", "E38291047"),
        ("여권번호: ", "M48201937"),
        ("पासपोर्ट नंबर: ", "J7418290"),
    ],
)
def test_passport_with_context(label: str, value: str) -> None:
    assert _found(label + value, PASSPORT) == [value]
    assert _found("ref " + value, PASSPORT) == []  # the same number without a passport word


@pytest.mark.parametrize(
    ("label", "value"),
    [
        ("Driver's license #: ", "D4829173"),
        ("Drivers License No. ", "123 482 917"),
        ('{"name": "Ann Lee", "license_no": "', "T4829-17304-81652"),
        ("DL# ", "F482-917-30-418"),
        ("Führerschein-Nr.: ", "B07K2RT4X51"),
        ("Numéro de permis de conduire : ", "130478291845"),
        ("Permiso de conducir: ", "48291734K"),
        ("Patente di guida n. ", "U1X4829173Q"),
        ("Carta de condução n.º ", "L-4829173"),
        ("Rijbewijsnummer: ", "5829174630"),
        ("Prawo jazdy nr ", "04817/19/2218"),
        ("運転免許証番号: ", "482917304816"),
        ("驾驶证号: ", "530102199003071234"),
        ("운전면허번호: ", "11-04-482917-30"),
    ],
)
def test_driving_licence_with_context(label: str, value: str) -> None:
    assert _found(label + value, LICENCE) == [value]
    assert _found("order " + value, LICENCE) == []


@pytest.mark.parametrize(
    ("label", "value"),
    [
        ("Date of birth: ", "12 March 1985"),
        ("DOB ", "03/27/1991"),
        ("born on ", "July 4th, 1978"),
        ("birthday: ", "1985-03-12"),
        ("Geburtsdatum: ", "12.03.1985"),
        ("geboren am ", "12. März 1985"),
        ("né le ", "12 mars 1985"),
        ("Date de naissance : ", "1er avril 1979"),
        ("Fecha de nacimiento: ", "12 de marzo de 1985"),
        ("nacida el ", "3 de septiembre de 1990"),
        ("data di nascita: ", "5 settembre 1990"),
        ("Data de nascimento: ", "23/08/1974"),
        ("geboortedatum ", "14 februari 1988"),
        ("Data urodzenia: ", "12 marca 1985"),
        ('{"date_of_birth": "', "1968-03-10"),
        ("födelsedatum: ", "1950-02-14"),
        ("生年月日：", "1985年3月12日"),
        ("出生日期: ", "1990年7月15日"),
        ("생년월일: ", "1990년 7월 15일"),
        ("जन्म तिथि: ", "15/08/1992"),
    ],
)
def test_date_of_birth_with_context(label: str, value: str) -> None:
    assert _found(label + value, BIRTH) == [value]
    assert _found("meeting on " + value, BIRTH) == []  # a date is not a date of birth


@pytest.mark.parametrize(
    "address",
    [
        "221B Baker Street, London NW1 6XE",
        "1600 Pennsylvania Ave NW, Washington, DC 20500",
        "4821 Willow Creek Road, Apt 3B\nPortland, OR 97214",
        "27 Elmfield Avenue\nLeicester\nLE2 1RB",
        "Hauptstraße 12, 10115 Berlin",
        "Lindenallee 3a\n50968 Köln",
        "Bahnhofstrasse 41, CH-8001 Zürich",
        "Kerkstraat 14, 1017 GC Amsterdam",
        "12 rue de la Paix, 75002 Paris",
        "48 boulevard Victor Hugo 06000 Nice",
        "Calle Mayor 5, 28013 Madrid",
        "C/ de Alcalá, 48, 3o B, 28014 Madrid",
        "Via Garibaldi 27, 10122 Torino",
        "Rua das Flores 112, 4050-265 Porto",
        "ul. Kwiatowa 15/4, 02-583 Warszawa",
        "402 Spruce Street West, Halifax, NS B3K 2L7",
        "18 Banksia Road, Geelong VIC 3220",
        "Rua Barão de Itapetininga, 255 – Apto 71, São Paulo – SP, 01042-001",
        "Flat 402, Lakeview Towers, Koregaon Park, Pune, Maharashtra 411001",
        "〒231-0023 神奈川県横浜市中区山下町27-4-12",
        "浙江省杭州市西湖区文三路478号3幢1502室",
        "서울특별시 마포구 월드컵북로 396, 1203호",
    ],
)
def test_address_found_whole(address: str) -> None:
    assert _found(f"Please send it to:\n{address}\nThanks!", ADDRESS) == [address]


@pytest.mark.parametrize(
    "address",
    ["Hauptstraße 12, 10115 Berlin", "12 rue de la Paix, 75002 Paris", "Kerkstraat 14, 1017 GC Amsterdam",
     "Via Garibaldi 27, 10122 Torino", "Rue du Marché 4, 1204 St. Gallen", "Gartenweg 114\n70173 Stuttgart",
     "Corso Vittorio Emanuele II 235\n40125 Bologna"],
)  # fmt: skip
def test_address_ends_with_its_town_not_the_sentence(address: str) -> None:
    """The full stop after the town, and the next sentence, are no part of the address (nor of its mask);
    a house number before a postcode on the next line is no Swedish postcode ("218 28195")."""
    assert _found(f"Lieferung an {address}. Danke, bis Montag!", ADDRESS) == [address]


@pytest.mark.parametrize(
    "text",
    [
        "He lived at 221B Baker Street with Dr Watson.",  # no postcode: a street in a novel
        "Turn left into Hauptstraße and park by the church.",
        "la rue de la Paix est la plus chère du Monopoly",
        "sent via DHL 5, and the rest by post",
        "Musterstraße 1, 12345 Musterstadt",  # the German form template
        "123 Main Street, Anytown, CA 90210",
        "4821 Willow Creek Road, Portland, NY 97214",  # NY ZIPs start 00, 10-14
        "Calle Mayor 5, 12345 Madrid",
        "Acme Widgets Inc., 4821 Willow Creek Road, Portland, OR 97214",  # a company's address
        "Impressum: Beispiel AG, Hauptstraße 12, 10115 Berlin",
        "402 Spruce Street West, Halifax, ON B3K 2L7",  # Ontario's codes start K L M N P
        "18 Banksia Road, Geelong QLD 3220",  # Queensland's start 4 or 9
        "Rua Barão de Itapetininga, 255, São Paulo – RS, 01042-001",  # Rio Grande do Sul's start 9
        "Flat 402, Lakeview Towers, Pune, Maharashtra 611001",  # Maharashtra's PINs start 4
        "〒231-0023 未来県横浜市中区山下町27-4-12",  # no such prefecture
        "收货地址：某某市某某区某某路12号",  # the Chinese form template
        "神奈川県横浜市中区の人口は2020年に増えた",  # no block number
        "Acme K.K., 〒231-0023 神奈川県横浜市中区山下町27-4-12",  # a company's (K.K.)
    ],
)
def test_address_not_found(text: str) -> None:
    assert _found(text, ADDRESS) == []


GPL_HEADER = """\
This program is free software; you can redistribute it and/or modify it under the terms of the GNU General
Public License as published by the Free Software Foundation; either version 2 of the License, or (at your
option) any later version.

You should have received a copy of the GNU General Public License along with this program; if not, write to
the Free Software Foundation, Inc., 51 Franklin Street, Fifth Floor, Boston, MA 02110-1301, USA.
"""


@pytest.mark.parametrize(
    "text",
    [
        GPL_HEADER,
        "Free Software Foundation, Inc.,\n51 Franklin St, Fifth Floor, Boston, MA  02110-1301  USA",
        "51 Franklin Street, Fifth Floor, Boston, MA 02110-1301 USA.",  # no name before it: the address alone
        "Free Software Foundation, Inc., 59 Temple Place, Suite 330, Boston, MA 02111-1307 USA",
        "Free Software Foundation, Inc., 675 Mass Ave, Cambridge, MA 02139, USA",
        '1. This LICENSE AGREEMENT is between BeOpen.com ("BeOpen"), having an\noffice at 160 Saratoga Avenue, '
        "Santa Clara, CA 95051, and the Individual or Organization",
    ],
)
def test_licence_address_is_not_personal_data(text: str) -> None:
    assert [f for f in RULESET.match(normalize(text)) if f.category == "pii"] == []


# -- strong forms that need no context: passport MRZ, UK driving licence -------------------------------------------


def test_mrz_found_without_context_and_spans_both_lines() -> None:
    text = f"{MRZ_NAME}\n{MRZ_DATA}"
    assert _found(text, PASSPORT) == [text]
    assert _found(MRZ_DATA, PASSPORT) == [MRZ_DATA]


def test_mrz_check_digit() -> None:
    assert mrz_check_digit("VK4R27T19") == 8
    assert mrz_check_digit("870923") == 9
    assert mrz_check_digit("<<<<<<") == 0
    with pytest.raises(ValueError, match="MRZ"):
        mrz_check_digit("ab")


# every character a check digit covers: all but the filler, the nationality (10-12) and the sex (20)
CHECKED_POSITIONS = [i for i, ch in enumerate(MRZ_DATA) if ch != "<" and i not in (10, 11, 12, 20)]


@pytest.mark.parametrize("position", CHECKED_POSITIONS)
def test_mrz_any_changed_character_is_refused(position: int) -> None:
    """Change one character of the data line (a digit for a digit, a letter for a letter) and a check digit
    no longer agrees, or a date stops being a date: the line is not a passport's."""
    ch = MRZ_DATA[position]
    swap = ("7" if ch != "7" else "2") if ch.isdigit() else ("Q" if ch != "Q" else "R")
    changed = MRZ_DATA[:position] + swap + MRZ_DATA[position + 1 :]
    assert not validate_passport_mrz(changed, "")
    assert _found(changed, PASSPORT) == []


def test_mrz_with_a_bad_name_line_is_refused() -> None:
    assert not validate_passport_mrz("P<UTO<VANTERPOOL<<KIRA" + "<" * 22 + "\n" + MRZ_DATA, "")  # no surname
    assert validate_passport_mrz("P<UTOVANTERPOOL" + "<" * 29 + "\n" + MRZ_DATA, "")  # a surname only
    assert validate_passport_mrz(f"{MRZ_NAME}\n{MRZ_DATA}", "")


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("HARTL859237JM9QX", True),  # a woman born 23 September 1987: month 09 + 50
        ("PRICE911042A99KT", True),  # initials padded with 9
        ("OKAFO703157CN9WE07", True),  # with the issue number
        ("HARTL833237JM9QX", False),  # month 33
        ("HARTL852307JM9QX", False),  # 30 February
        ("HA9TL859237JM9QX", False),  # padding before the end of the surname
        ("HARTL859237JM9Q", False),
    ],
)
def test_uk_driving_licence(number: str, ok: bool) -> None:
    assert validate_uk_driving_licence(number, "") is ok
    assert (_found(f"licence {number} ok", LICENCE) == [number]) is ok


# -- dates ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Date of birth: 31 February 1985",
        "DOB: 02/30/1985",
        "DOB: 13/13/1985",
        "Geburtsdatum: 29.02.1987",  # not a leap year
        "born on 12 March 1850",  # before 1900
        "Date of birth: 12 March 2999",  # in the future
        "Date de naissance : 12 brumaire 1985",  # not a month
        "生年月日：1985年13月12日",
    ],
)
def test_impossible_dates_are_refused(text: str) -> None:
    assert _found(text, BIRTH) == []


def test_parse_date_readings() -> None:
    assert parse_date("03/04/1985") == (date(1985, 4, 3), date(1985, 3, 4))  # d/m/y, then m/d/y
    assert parse_date("03/27/1991") == (date(1991, 3, 27),)
    assert parse_date("12. März 1985") == (date(1985, 3, 12),)
    assert parse_date("Sept. 9, 1999") == (date(1999, 9, 9),)
    assert parse_date("12 de marzo de 1985") == (date(1985, 3, 12),)
    assert parse_date("1985年3月12日") == (date(1985, 3, 12),)
    assert parse_date("12.03.85") == (date(1985, 3, 12), date(1985, 12, 3), date(2085, 3, 12), date(2085, 12, 3))
    assert parse_date("1985-02-30") == ()
    assert validate_birth_date("12.03.85", "dob ")  # 1985, not 2085
    assert not validate_birth_date("12.03.1899", "dob ")


@pytest.mark.parametrize(
    "text",
    [
        '{"created_at": "2024-03-05", "updated_at": "2024-03-06T10:15:00Z"}',
        "birth_date = datetime(1985, 3, 12)",
        "d = datetime(1985, 3, 12)  # born in 1985",
        "2024-03-05 12:00:01 INFO worker born_at=2024-03-05 started",
        "released 2021-04-01 (version 1.2.3), the project was born in 2019",
        "NATO summit on 12 March 1985",
        "She was born in 1985 and moved to Leeds.",
        "a first-born calf arrived 12/03/2019",
    ],
)
def test_dates_in_code_and_prose_are_not_birth_dates(text: str) -> None:
    assert _found(text) == []


# -- quiet on code and prose --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "const passport = require('passport');\napp.use(passport.initialize());\npassport.use(new Strategy())",
        "npm install passport-oauth2@1.8.0 passport-jwt@4.0.1",
        "The passport photo must be 35x45 mm; fees went up 12% in 2024.",
        "This project is under the MIT license, version 2.0 of 2019-04-01.",
        "Download (DL) speed 100 Mbps, upload 20 Mbps",
        'std::cout << "P<" << 12 << std::endl; x <<= 3;',
        "Walk down Station Road, turn right at the green, and the pub is on the corner.",
        "We met at 10 Downing Street cafe at 12:30 on 2024-05-01.",
        "for (int i = 0; i < 10; i++) { street[i] = road(i, 12345); }",
        "the string 5 10 Words and the ring 12 4000 Bytes",
    ],
)
def test_quiet_on_code_and_prose(text: str) -> None:
    assert _found(text) == []


# -- validators are total -----------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(VALIDATORS)), value=st.text(max_size=120), context=st.text(max_size=200))
def test_validators_never_raise_and_return_bool(name: str, value: str, context: str) -> None:
    assert VALIDATORS[name](value, context) in (True, False)


@settings(max_examples=200, deadline=None)
@given(
    name=st.sampled_from(sorted(VALIDATORS)),
    value=st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<-./ ,年月日", max_size=100),
)
def test_validators_on_shaped_input(name: str, value: str) -> None:
    assert VALIDATORS[name](value, "passport no ") in (True, False)


def test_validators_refuse_non_strings_and_huge_values() -> None:
    for fn in VALIDATORS.values():
        assert fn(None, "") is False  # type: ignore[arg-type]
        assert fn("1" * 100_000, "") is False
    assert validate_postal_address("Hauptstraße 12, 10115 Berlin", "") is True
    assert validate_postal_address("Hauptstraße 12, 10115 Berlin", "acme gmbh, ") is False


# -- the whole engine: decision and redaction ----------------------------------------------------------------------


def test_date_of_birth_gives_at_least_warn(engine) -> None:
    verdict = engine.scan("Date of birth: 12 March 1985", max_tier=0)
    assert verdict.decision in ("warn", "block")
    assert "pii" in verdict.categories
    assert "12 March 1985" not in verdict.redacted
    assert "[DATE_OF_BIRTH]" in verdict.redacted


def test_redaction_masks_every_value_with_its_label(engine) -> None:
    values = {
        "583021946": "PASSPORT",
        MRZ_DATA: "PASSPORT",
        "D4829173": "DRIVING_LICENCE",
        "HARTL859237JM9QX": "DRIVING_LICENCE",
        "12 March 1985": "DATE_OF_BIRTH",
        "221B Baker Street, London NW1 6XE": "ADDRESS",
        "Hauptstraße 12, 10115 Berlin": "ADDRESS",
        "12 rue de la Paix, 75002 Paris": "ADDRESS",
        "Calle Mayor 5, 28013 Madrid": "ADDRESS",
    }
    text = (
        "Customer file.\nPassport No.: 583021946\nMRZ:\n" + MRZ_DATA + "\nDriver's license #: D4829173\n"
        "UK licence HARTL859237JM9QX\nDate of birth: 12 March 1985\n"
        "Home: 221B Baker Street, London NW1 6XE\nWork: Hauptstraße 12, 10115 Berlin\n"
        "Old: 12 rue de la Paix, 75002 Paris\nHoliday: Calle Mayor 5, 28013 Madrid\nThanks."
    )
    verdict = engine.scan(text, max_tier=0)
    assert verdict.decision in ("warn", "block")
    for value, label in values.items():
        assert value not in verdict.redacted, value
        assert f"[{label}]" in verdict.redacted, label
    assert "Passport No.: [PASSPORT]" in verdict.redacted  # the word stays, the number goes
