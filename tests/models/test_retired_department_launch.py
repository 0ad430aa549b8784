"""A retired department takes no new joint operation: the launch check refuses it by field."""

from __future__ import annotations

import pytest
from sqlmodel import Session, SQLModel, create_engine

from models.reference import Department
from web.kit.errors import ApiError
from web.operations.service import check_departments


def test_a_retired_department_cannot_lead_or_cooperate(tmp_path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'ref.db'}")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Department(code="cg", name="城管执法局", kind="department"))
        session.add(Department(code="old", name="旧科室", kind="department", active=False))
        session.commit()
        check_departments(session, "cg", [])
        for lead, cooperating, field in (("old", [], "lead"), ("cg", ["old"], "cooperating")):
            with pytest.raises(ApiError) as refused:
                check_departments(session, lead, cooperating)
            assert refused.value.status_code == 422
            assert refused.value.extra["field"] == field and "retired" in refused.value.detail
