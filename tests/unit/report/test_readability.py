"""The Flesch-Kincaid grade and its syllable counter."""

from __future__ import annotations

import pytest

from osteowedge.report.readability import (
    count_syllables,
    flesch_kincaid_grade,
    html_text_blocks,
    sentence_count,
    words,
)


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("bone", 1),
        ("the", 1),
        ("walked", 1),
        ("takes", 1),
        ("table", 2),
        ("doctor", 2),
        ("fracture", 2),
        ("medicine", 3),
        ("vertebra", 3),
        ("osteopenia", 5),
        ("physiotherapist", 5),
    ],
)
def test_syllables_of_common_and_clinical_words(word: str, syllables: int) -> None:
    assert count_syllables(word) == syllables


def test_words_split_hyphens_and_skip_numbers() -> None:
    assert words("On-your-feet walks, 2.5 mg a day.") == [
        "On",
        "your",
        "feet",
        "walks",
        "mg",
        "a",
        "day",
    ]


def test_sentences_end_at_stops_and_blocks() -> None:
    assert sentence_count("Walk daily. Eat well! Why? Because: strong bones") == 5
    assert sentence_count("A list item without a stop") == 1
    assert sentence_count("2026") == 0


def test_grade_follows_the_published_formula() -> None:
    # 2 sentences, 8 words, 8 syllables: 0.39 * 4 + 11.8 * 1 - 15.59 = -2.23
    text = "The cat sat down. The dog ran off."
    assert flesch_kincaid_grade([text]) == pytest.approx(0.39 * 4 + 11.8 * 1.0 - 15.59)


def test_long_clinical_prose_grades_high() -> None:
    clinical = (
        "Glucocorticoid-induced osteoporosis necessitates pharmacological intervention with "
        "antiresorptive or osteoanabolic therapy, contingent upon individualised fracture "
        "probability estimation."
    )
    assert flesch_kincaid_grade([clinical]) > 16


def test_empty_text_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        flesch_kincaid_grade(["2026"])


def test_html_blocks_skip_style_and_svg() -> None:
    html = (
        "<html><head><style>p{}</style><title>T</title></head><body><h1>Title</h1>"
        "<p>One <b>two</b>.</p><svg><text>hidden</text></svg><ul><li>a</li><li>b</li></ul>"
        "</body></html>"
    )
    assert html_text_blocks(html) == ["Title", "One two.", "a", "b"]
