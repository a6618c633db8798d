"""Extract the per-member Security Council votes on the DPRK items from the unsc-voting data set.

One-off helper (standard library only), kept for reproducibility; the importers read its output,
``unsc_dprk_votes_by_member.csv``, not the 7 MB source. Usage::

    python data/votes/csv/extract_unsc_dprk_members.py \
        /work/shared/data/unsc-voting/sc_voting_1994_2025.csv data/votes/csv

It keeps the rows whose ``ID`` is one of the vote events listed in ``unsc_dprk_resolutions.csv``
(column ``source_id``, ``ID=…``) and the columns ``ID, Date, Resolution, Draft, Member State,
Vote``, unchanged (dates as stored, names as stored), in source order.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

COLUMNS = ("ID", "Date", "Resolution", "Draft", "Member State", "Vote")


def main(source: Path, folder: Path) -> int:
    with (folder / "unsc_dprk_resolutions.csv").open(newline="", encoding="utf-8") as f:
        wanted = {row["source_id"].removeprefix("ID=") for row in csv.DictReader(f)}
    with source.open(newline="", encoding="utf-8") as f:
        rows = [[r[c] for c in COLUMNS] for r in csv.DictReader(f) if r["ID"] in wanted]
    out = folder / "unsc_dprk_votes_by_member.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    sys.stdout.write(f"wrote {out} ({len(rows)} rows, {len(wanted)} vote events)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]), Path(sys.argv[2])))
