"""Derives every case's assignment facts again from its timeline: `python -m models.backfill`.

init_db does this once by itself for a database written before the assignment table (or by an
older derivation); run it by hand after restoring timelines from a backup."""

from __future__ import annotations

import argparse
import time

from models.assignment import BACKFILL_MARK, BACKFILL_VERSION, backfill
from models.db import get_engine, session_scope
from models.evaluation_settings import put_setting
from models.schema import init_db


def main() -> None:
    """Backfills the configured database (or --url) and says how long it took."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="database URL (default: the configured one)")
    args = parser.parse_args()
    engine = get_engine(args.url)
    init_db(engine)
    began = time.monotonic()
    cases = backfill(engine)
    with session_scope(engine) as session:
        put_setting(session=session, name=BACKFILL_MARK, value=BACKFILL_VERSION)
    print(f"assignments derived for {cases} cases in {time.monotonic() - began:.1f} s")


if __name__ == "__main__":
    main()
