"""phonenumbers loads each region's metadata by name, so every data module is collected; but not its geocoding,
carrier and time-zone tables (40 MB of source), which the engine never asks for (layout.EXCLUDED_MODULES)."""

from PyInstaller.utils.hooks import collect_submodules

_UNUSED = ("phonenumbers.geocoder", "phonenumbers.geodata", "phonenumbers.carrier", "phonenumbers.carrierdata",
           "phonenumbers.timezone", "phonenumbers.tzdata")  # fmt: skip

hiddenimports = collect_submodules("phonenumbers", filter=lambda name: not name.startswith(_UNUSED))
