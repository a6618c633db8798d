"""Map the state names used by the Security Council data set to ISO 3166-1 alpha-3 codes.

The SC data names members ("United States", "Republic of Korea", "Congo", one "Ethipia"), not
codes. Names are matched, after normalisation, against the UNTERM short and formal names and the
un.org 2015 names of the member states, then against :data:`ALIASES`. An unknown name raises:
nothing is guessed.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from kg.importers.common import ImportDataError
from kg.importers.member_states import load_member_states

#: Spellings in the SC data that match no UN name of the state (keys are normalised names).
ALIASES: dict[str, str] = {
    "united states": "USA",
    "united kingdom": "GBR",
    "bolivia": "BOL",
    "venezuela": "VEN",
    "tanzania": "TZA",
    "ethipia": "ETH",  # typo in the unsc-voting data set
    "former yugoslav republic of macedonia": "MKD",
    "russia": "RUS",
    "syria": "SYR",
    # Sponsors in the "Submitted by" column of the full Security Council data set:
    "moldova": "MDA",
    "micronesia": "FSM",
    "iran": "IRN",
    "laos": "LAO",
    "uae": "ARE",
    "united kindgom": "GBR",  # typo in the unsc-voting data set
    "zaire": "COD",  # the name of the Democratic Republic of the Congo 1971-1997
}


def normalise(name: str) -> str:
    """A loose key: ASCII, lower case, no articles or "(the)", punctuation as single spaces."""
    s = name.replace("\u2019", "'").replace("&", "and")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"\(the\)", "", s)
    s = re.sub(r"^the\s+", "", s.strip())
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return s.strip()


class StateNames:
    """Name → ISO alpha-3 lookup built from the member-state table (immutable after init)."""

    def __init__(self, root: Path) -> None:
        table: dict[str, str] = {}
        for s in load_member_states(root):
            for name in (s.name, s.formal_name, s.unorg_name):
                key = normalise(name)
                if key and table.setdefault(key, s.iso3) != s.iso3:
                    raise ImportDataError(f"name {name!r} is ambiguous ({table[key]}, {s.iso3})")
        for key, iso3 in ALIASES.items():
            table.setdefault(key, iso3)
        self._table = table

    def iso3(self, name: str) -> str:
        key = normalise(name)
        if key not in self._table:
            raise ImportDataError(f"unknown state name {name!r}: add it to state_names.ALIASES")
        return self._table[key]
