"""The assistant's answers as HTML: Markdown tables and lists render; anything HTML that a
lead's name or a note could carry into an answer stays text."""

from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from crm.assistant.rendering import ATTRIBUTES, TAGS, render_markdown


def test_a_lead_named_script_stays_text():
    html = render_markdown("The newest lead is <script>alert('x')</script> from Garage.")
    assert "<script" not in html
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in html


def test_raw_html_blocks_and_event_handlers_are_escaped():
    html = render_markdown('<div onclick="steal()">hi</div>\n\n<img src=x onerror=alert(1)>')
    assert "<div" not in html and "<img" not in html
    assert "&lt;div onclick=" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_a_table_renders_with_its_alignment():
    html = render_markdown(
        "Top sources this month:\n\n"
        "| Source | Leads |\n|:--|--:|\n| Google LSA | 42 |\n| Yelp <b>ads</b> | 7 |\n"
    )
    assert "<table>" in html
    assert '<th align="left">Source</th>' in html
    assert '<td align="right">42</td>' in html
    assert "Yelp &lt;b&gt;ads&lt;/b&gt;" in html


def test_emphasis_lists_and_code_render():
    html = render_markdown("**3** fresh leads:\n\n- Carmen\n- Dana\n\n`count_leads`")
    assert "<strong>3</strong>" in html
    assert "<li>Carmen</li>" in html
    assert "<code>count_leads</code>" in html


def test_links_keep_only_safe_schemes():
    html = render_markdown("[open](javascript:alert(1)) and [docs](https://example.com/x)")
    assert "javascript:" not in html
    assert 'href="https://example.com/x"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_images_are_dropped():
    assert "<img" not in render_markdown("![tracker](https://evil.example/p.png)")


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {name for name, _ in attrs}))


@given(
    st.text(
        alphabet=st.sampled_from(list("<>/=\"' \nabcdiomgnerscptlk|-:*`[]()!")) | st.characters(),
        max_size=200,
    )
)
def test_whatever_the_text_only_markdown_tags_and_attributes_come_out(text):
    parser = Tags()
    parser.feed(render_markdown(text))
    for tag, attributes in parser.found:
        assert tag in TAGS
        assert attributes <= ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
