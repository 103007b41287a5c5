"""Reading level: the Flesch-Kincaid grade of plain text or of an HTML page's visible text.

Flesch-Kincaid grade level (Kincaid, Fishburne, Rogers and Chissom 1975, Naval Technical Training
Command research branch report 8-75):

    grade = 0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59

Counting rules (stated because every FK tool counts a little differently):

- **Sentences** end at ``.``, ``!``, ``?``, ``:`` or ``;`` followed by a space or the end of a
  block. Every HTML block (heading, paragraph, list item, table cell, caption) ends a sentence,
  since a reader takes a list item or a heading as one unit.
- **Words** are runs of letters (with inner apostrophes); a hyphen splits a compound
  (``on-your-feet`` is three words). Numbers such as ``34.4`` or ``2026`` are not words.
- **Syllables** (:func:`count_syllables`) are vowel groups (``a e i o u y``), less a silent final
  ``e`` (``bone``) but not ``-le`` after a consonant (``table``), plus one for ``-ia``/``-io``
  splits such as ``osteopenia``; at least one per word. Words of three letters or fewer are one
  syllable. This is the usual heuristic of readability tools; it agrees with a dictionary count on
  most common words and errs by one on some long clinical words.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")
_SENTENCE_END = re.compile(r"[.!?:;]+(?=\s|$)")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
_SPLIT_DIPHTHONG = re.compile(r"[^aeiou]i[ao]")  # o-ste-o-pe-ni-a, ra-di-a-tion is not hit
_BLOCK_TAGS = frozenset(
    {"p", "li", "h1", "h2", "h3", "h4", "dt", "dd", "td", "th", "figcaption", "caption", "div"}
)


def count_syllables(word: str) -> int:
    """Syllables of one English word by the vowel-group heuristic described above."""
    w = word.lower().strip("'")
    w = re.sub(r"[^a-z]", "", w)
    if not w:
        return 0
    if len(w) <= 3:
        return 1
    count = len(_VOWEL_GROUP.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1  # silent e: bone, take, dose
    elif w.endswith("le") and len(w) > 2 and w[-3] not in "aeiouy" and count == 1:
        count += 1
    if w.endswith("es") and not w.endswith(("ses", "zes", "ches", "shes", "ges", "ces")):
        count -= 1 if count > 1 else 0  # takes, bones
    if w.endswith("ed") and not w.endswith(("ted", "ded")) and count > 1:
        count -= 1  # walked, used
    count += len(_SPLIT_DIPHTHONG.findall(w)) if w.endswith(("ia", "ium", "ior", "ian")) else 0
    return max(1, count)


def words(text: str) -> list[str]:
    """The words of a text (hyphenated compounds split, numbers left out)."""
    return _WORD.findall(text.replace("-", " "))


def sentence_count(text: str) -> int:
    """Sentences in one block of text; a block with words counts at least one."""
    if not words(text):
        return 0
    parts = [p for p in _SENTENCE_END.split(text) if words(p)]
    return max(1, len(parts))


def flesch_kincaid_grade(blocks: list[str]) -> float:
    """Flesch-Kincaid grade of a list of text blocks (each block ends a sentence)."""
    n_sentences = sum(sentence_count(b) for b in blocks)
    all_words = [w for b in blocks for w in words(b)]
    if not all_words or not n_sentences:
        raise ValueError("no words to measure: the text is empty")
    n_syllables = sum(count_syllables(w) for w in all_words)
    return 0.39 * len(all_words) / n_sentences + 11.8 * n_syllables / len(all_words) - 15.59


class _BlockText(HTMLParser):
    """Collects the visible text of an HTML page block by block, skipping scripts, styles and
    SVG drawings (a figure's text is measured through its caption)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._skip = 0

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.blocks.append(text)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        del attrs
        if tag in {"script", "style", "svg", "title", "head"}:
            self._skip += 1
        elif tag in _BLOCK_TAGS or tag == "br":
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "svg", "title", "head"}:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._current.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def html_text_blocks(html: str) -> list[str]:
    """The visible text of an HTML page as blocks (see the module docstring)."""
    parser = _BlockText()
    parser.feed(html)
    parser.close()
    return parser.blocks


def html_reading_grade(html: str) -> float:
    """Flesch-Kincaid grade of the visible text of an HTML page."""
    return flesch_kincaid_grade(html_text_blocks(html))
