"""Idempotency keys: the first claim wins, a repeat gets the first case, keys expire in 24 h."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlmodel import Session

from models.db import get_engine
from models.idempotency import IdempotencyKey, claim
from models.schema import init_db


def test_the_first_claim_wins_and_a_repeat_gets_its_case():
    engine = get_engine()
    init_db(engine)
    key = uuid.uuid4().hex
    first = claim(engine=engine, username="coordinator", key=key, number="A", payload={"n": 1})
    again = claim(engine=engine, username="coordinator", key=key, number="B", payload={"n": 2})
    assert first == ("A", {"n": 1}, True) and again == ("A", {"n": 1}, False)
    other = claim(engine=engine, username="inspector", key=key, number="C", payload={})
    assert other == ("C", {}, True), "keys are per user"


def test_racing_twins_file_one_case():
    engine = get_engine()
    init_db(engine)
    key = uuid.uuid4().hex

    def one(n: int) -> tuple[str, dict, bool]:
        return claim(engine=engine, username="coordinator", key=key, number=f"N{n}", payload={})

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, range(8)))
    assert len({number for number, _p, _c in results}) == 1
    assert sum(claimed for _n, _p, claimed in results) == 1


def test_a_key_older_than_a_day_is_free_again():
    engine = get_engine()
    init_db(engine)
    key = uuid.uuid4().hex
    claim(engine=engine, username="coordinator", key=key, number="OLD", payload={})
    with Session(engine) as session:
        row = session.get(IdempotencyKey, ("coordinator", key))
        assert row is not None
        row.created_at -= timedelta(hours=25)
        session.add(row)
        session.commit()
    fresh = claim(engine=engine, username="coordinator", key=key, number="NEW", payload={})
    assert fresh == ("NEW", {}, True)
