"""Every integer the API takes is bounded in the models, within int32, so apply never meets a 400 for it."""

from __future__ import annotations

import inspect
from pathlib import Path

import annotated_types
import pytest

from tests.integration.conftest import run_cli
from verifyctl.config import models
from verifyctl.config.models import INT32_MAX, ConfigModel
from verifyctl.config.validation import _strip_optional


def integer_fields() -> list[tuple[str, str, list[object]]]:
    found = []
    for name, model in inspect.getmembers(models, inspect.isclass):
        if not issubclass(model, ConfigModel) or model is ConfigModel:
            continue
        for field_name, info in model.model_fields.items():
            if _strip_optional(info.annotation) is int:
                found.append((name, field_name, list(info.metadata)))
    return found


def test_the_models_have_integer_fields() -> None:
    names = {f"{model}.{field}" for model, field, _ in integer_fields()}
    assert {"BucketConfig.max", "BucketConfig.interval", "ServiceConfig.code_length"} <= names


@pytest.mark.parametrize("model, field, metadata", integer_fields(), ids=lambda v: str(v)[:30])
def test_every_integer_field_has_bounds_within_int32(model: str, field: str, metadata: list[object]) -> None:
    lows = [m.ge for m in metadata if isinstance(m, annotated_types.Ge)]
    highs = [m.le for m in metadata if isinstance(m, annotated_types.Le)]
    assert lows and highs, f"{model}.{field} has no lower or upper bound"
    assert lows[0] >= -INT32_MAX - 1 and highs[0] <= INT32_MAX


@pytest.mark.parametrize("value", ["0", "2147483648", "99999999999999999999"])
def test_validate_refuses_an_out_of_range_bucket_max(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("bucket.yaml").write_text(
        "version: 1\nservices:\n  - friendly_name: Acme\n    rate_limits:\n      - unique_name: per_phone\n"
        f"        buckets: [{{interval: 60, max: {value}}}]\n"
    )
    run = run_cli("validate", "bucket.yaml")
    assert run.exit_code == 1
    assert run.stderr.splitlines()[0] == (
        "Error: bucket.yaml:6:39: services[0].rate_limits[0].buckets[0].max: must be between 1 and 2147483647"
    )
