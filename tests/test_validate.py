"""The row checks: one code per outcome, the first failing check names a row's reason."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from layerheat import reasons
from layerheat.taxonomy import default_taxonomy
from layerheat.validate import CheckOptions, check, kernel_codes

TAX = default_taxonomy()


def test_every_outcome_has_its_own_code_and_clip_shares_none() -> None:
    codes = [reasons.KEEP, reasons.CLIP, *reasons.TEXT]
    assert len(codes) == len(set(codes)) == reasons.N_CODES
    assert reasons.CLIP not in reasons.TEXT and reasons.MALFORMED != reasons.CLIP
    assert list(reasons.TEXT.values()) == list(reasons.ORDER)
    assert {int(c) for c in kernel_codes(require_canvas=True, skip_partly=True)} <= set(codes)


def batch(**columns) -> pa.Table:  # noqa: ANN003
    base = {
        "type_id": [30],
        "xmin": [10.0],
        "ymin": [10.0],
        "xmax": [20.0],
        "ymax": [20.0],
        "canvas_width": [100.0],
        "canvas_height": [100.0],
    }
    base.update(columns)
    return pa.table(base)


def test_each_reason_is_the_code_of_a_row_that_fails_only_that_check() -> None:
    cases = {
        reasons.KEEP: {},
        reasons.CLIP: {"xmax": [120.0]},
        reasons.UNKNOWN_TYPE: {"type_id": [999]},
        reasons.NON_FINITE: {"xmin": [np.inf]},
        reasons.INVERTED_BOX: {"xmin": [30.0]},
        reasons.BAD_CANVAS: {"canvas_width": [-5.0]},
        reasons.OUTSIDE: {"xmin": [200.0], "xmax": [300.0]},
        reasons.NO_AREA: {"has_area": [False]},
    }
    for code, columns in cases.items():
        checked = check(batch(**columns), taxonomy=TAX)
        assert int(checked.codes[0]) == code, (reasons.TEXT.get(code, code), columns)
    skip = CheckOptions(TAX, outside="skip").check(batch(xmax=[120.0]))
    assert int(skip.codes[0]) == reasons.PARTLY_OUTSIDE
    two = batch(
        canvas_width=[100.0, None],
        **{k: v * 2 for k, v in batch().to_pydict().items() if k != "canvas_width"},
    )
    assert int(check(two, taxonomy=TAX).codes[1]) == reasons.NO_CANVAS


def test_the_first_failing_check_names_the_reason() -> None:
    # unknown type and non-finite and inverted: the type is checked first
    checked = check(batch(type_id=[999], xmin=[np.nan], xmax=[5.0]), taxonomy=TAX)
    assert int(checked.codes[0]) == reasons.UNKNOWN_TYPE
    assert checked.report.skipped == {"unknown type": 1}
