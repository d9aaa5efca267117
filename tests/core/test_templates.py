"""Django's {# #} comments end at the line's end: a two-line one is printed on the page."""

from pathlib import Path

import pytest

TEMPLATES = sorted((Path(__file__).resolve().parents[2] / "templates").rglob("*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_no_comment_spills_onto_the_page(template):
    for number, line in enumerate(template.read_text().splitlines(), start=1):
        assert line.count("{#") == line.count("#}"), f"{template.name}:{number} {{# without #}}"
