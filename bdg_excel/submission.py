"""What reading one returned file gives: a submission with its figures, problems and status."""
from __future__ import annotations

from dataclasses import dataclass, field

from bdg_excel.figures import Entry
from bdg_excel.problems import Problem

ACCEPTED, WITH_PROBLEMS, REJECTED = "accepted", "accepted-with-problems", "rejected"
FAILED, SKIPPED = "failed", "skipped"
STATUS_LABELS = {ACCEPTED: "đã nhận", WITH_PROBLEMS: "đã nhận, có vấn đề", REJECTED: "bị từ chối",
                 FAILED: "lỗi của chương trình", SKIPPED: "bỏ qua"}


@dataclass(frozen=True)
class Figure:
    """One data element as read: the entry, the cells it came from, and whether it can be used."""

    code: str
    entry: Entry
    sheet: str
    cells: dict[str, str]
    usable: bool


@dataclass
class Submission:
    """One returned file: its identity, its figures and its problems."""

    name: str
    sha256: str
    size: int
    unit: str | None = None
    period: str | None = None
    plan_id: str | None = None
    plan_version: str | None = None
    figures: list[Figure] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rejected: bool = False
    failure: str = ""  # the traceback of our own error while reading it: never the unit's fault

    @property
    def status(self) -> str:
        if self.failure:
            return FAILED
        if self.rejected:
            return REJECTED
        return WITH_PROBLEMS if self.problems else ACCEPTED

    def reject(self, found: Problem) -> None:
        """The file cannot be used, for the reason ``found`` gives."""
        self.problems.append(found)
        self.rejected = True
