"""A symptom's course for triage: the contract 2.0 form ``{id, onset, progressing}`` (pure).

A ``progressing.<symptom id>`` red-flag trigger is true when the symptom is reported and not
recorded as stable: ``progressing: true``, or a course the record does not give (a plain id, or
``progressing`` absent or null) when the guideline record ``triage_red_flag_logic`` says an
unknown course counts as progressing. An unknown course is warned about. ``onset`` is shown in
the reasons; it does not decide anything, because no cited window tells a new symptom from an old
one (an old onset alone does not show that a symptom is stable). An onset after the assessment
date is rejected before triage (``plausibility``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from osteowedge.errors import KnowledgeError
from osteowedge.model.assessment import Warning
from osteowedge.model.history import SymptomEntry
from osteowedge.model.patient import PatientRecord

PREFIX = "progressing"
UNKNOWN_FACT = "unknown_course_counts_as_progressing"


@dataclass(frozen=True)
class Course:
    """What the record says of one symptom's course, over every entry that names it."""

    progressing: bool | None  # True: some entry progressing; False: every entry stable
    onset: dt.date | None  # the earliest onset given
    unknown_path: str | None  # JSON path of the first entry whose course is not given

    def describe(self) -> str:
        """``progressing``, ``not progressing`` or ``progression not recorded``, with the onset."""
        state = {True: "progressing", False: "not progressing", None: "progression not recorded"}
        onset = f", onset {self.onset}" if self.onset else ""
        return f"{state[self.progressing]}{onset}"


def courses(record: PatientRecord) -> dict[str, Course]:
    """Each reported symptom id with its course (a plain id has an unknown course)."""
    states: dict[str, list[bool | None]] = {}
    onsets: dict[str, list[dt.date]] = {}
    unknown: dict[str, str] = {}
    for i, entry in enumerate(record.symptoms):
        if isinstance(entry, SymptomEntry):
            sid, progressing = entry.id, entry.progressing
            if entry.onset is not None:
                onsets.setdefault(sid, []).append(entry.onset)
            path = f"/symptoms/{i}/progressing"
        else:
            sid, progressing, path = entry, None, f"/symptoms/{i}"
        states.setdefault(sid, []).append(progressing)
        if progressing is None:
            unknown.setdefault(sid, path)
    result: dict[str, Course] = {}
    for sid, values in states.items():
        state: bool | None = True if True in values else (None if None in values else False)
        result[sid] = Course(
            progressing=state,
            onset=min(onsets[sid]) if sid in onsets else None,
            unknown_path=unknown.get(sid) if state is None else None,
        )
    return result


def readers(rules: Iterable[tuple[str, Iterable[str]]]) -> dict[str, tuple[str, ...]]:
    """Each symptom whose course a ``progressing.<symptom>`` trigger reads, with the names of
    the red flags that read it, from (red flag name, its trigger names) pairs."""
    found: dict[str, list[str]] = {}
    for flag_name, names in rules:
        for name in names:
            prefix, _, item = name.partition(".")
            if prefix == PREFIX and item:
                found.setdefault(item, []).append(flag_name)
    return {sid: tuple(dict.fromkeys(flags)) for sid, flags in found.items()}


def unknown_counts_as_progressing(value: object) -> bool:
    """The ``triage_red_flag_logic`` fact, checked to be a boolean."""
    if not isinstance(value, bool):
        raise KnowledgeError(f"triage_red_flag_logic.{UNKNOWN_FACT} must be true or false")
    return value


def progressing_trigger(
    course: Course | None, label: str, unknown_counts: bool
) -> tuple[bool, str | None]:
    """Whether a ``progressing.<symptom>`` trigger fires, and the reason shown when it does."""
    if course is None or course.progressing is False:
        return False, None
    if course.progressing:
        return True, f"symptom progressing: {label} ({course.describe()})"
    if not unknown_counts:
        return False, None
    return True, f"symptom reported, treated as possibly progressing: {label} ({course.describe()})"


def course_warnings(
    read: Mapping[str, Iterable[str]],
    found: Mapping[str, Course],
    labels: Mapping[str, str],
    unknown_counts: bool,
) -> list[Warning]:
    """A warning for each reported symptom whose course a trigger reads but the record lacks.

    ``read`` maps a symptom id to the names of the red flags whose triggers read its course.
    """
    warnings: list[Warning] = []
    for sid, flag_names in read.items():
        course = found.get(sid)
        if course is None or course.progressing is not None:
            continue
        label = labels.get(sid, sid)
        onset = (
            f" (onset {course.onset}: an onset date alone does not show that it is stable)"
            if course.onset
            else ""
        )
        treated = "possibly progressing" if unknown_counts else "not progressing"
        warnings.append(
            Warning(
                code="symptom_progression_unknown",
                message=f"{label}: whether it is progressing is not recorded{onset}; triage "
                f"treats it as {treated} ({', '.join(flag_names)}). Record it as "
                f'{{"id": "{sid}", "onset": ..., "progressing": true or false}}',
                path=course.unknown_path,
            )
        )
    return warnings


__all__ = [
    "PREFIX",
    "UNKNOWN_FACT",
    "Course",
    "course_warnings",
    "courses",
    "progressing_trigger",
    "readers",
    "unknown_counts_as_progressing",
]
