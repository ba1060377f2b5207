"""The JSON contract of DESIGN.md: one object per report, a list for several."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..results import SessionReport, report_to_dict


def render_json(reports: SessionReport | Sequence[SessionReport]) -> str:
    if isinstance(reports, SessionReport):
        data = report_to_dict(reports)
    else:
        data = [report_to_dict(r) for r in reports]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
