"""The project's service model puts the same bytes on the wire as AWS's last published model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from robomaker_deploy._wire.model import register_data_path
from tests.support.wire_cases import CASES, capture

GOLDEN = Path(__file__).parent / "data" / "wire_golden.json"


@pytest.fixture(scope="module")
def ours() -> list[dict[str, Any]]:
    session = botocore.session.get_session()
    register_data_path(session.get_component("data_loader"))
    return capture(session)


def test_golden_was_recorded_with_the_last_botocore_that_shipped_robomaker() -> None:
    golden = json.loads(GOLDEN.read_text())
    assert golden["botocore"] == "1.40.59"
    assert len(golden["requests"]) == len(CASES)


@pytest.mark.parametrize("index", range(len(CASES)), ids=[f"{i}-{c[0]}" for i, c in enumerate(CASES)])
def test_request_is_byte_identical(ours: list[dict[str, Any]], index: int) -> None:
    reference = json.loads(GOLDEN.read_text())["requests"][index]
    assert ours[index] == reference


def test_every_operation_is_covered() -> None:
    from robomaker_deploy._wire.model import service_model

    covered = {method for method, _ in CASES}
    expected = {botocore.xform_name(name) for name in service_model().operation_names}
    assert covered == expected
    assert len(expected) == 23
