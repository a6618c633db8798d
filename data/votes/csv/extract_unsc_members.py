"""Extract who was recorded on each Security Council vote from the unsc-voting data set.

One-off helper (standard library only), kept for reproducibility; the membership importer reads
its output, ``unsc_members_by_vote.csv``, not the 7 MB source. Usage::

    python data/votes/csv/extract_unsc_members.py \
        /work/shared/data/unsc-voting/sc_voting_1994_2025.csv data/votes/csv

It keeps, for every row of the source (one member on one vote), the columns ``ID, Year,
Member State`` unchanged, in source order.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

COLUMNS = ("ID", "Year", "Member State")


def main(source: Path, folder: Path) -> int:
    with source.open(newline="", encoding="utf-8") as f:
        rows = [[r[c] for c in COLUMNS] for r in csv.DictReader(f)]
    out = folder / "unsc_members_by_vote.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    sys.stdout.write(f"wrote {out}: {len(rows)} rows\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]), Path(sys.argv[2])))
