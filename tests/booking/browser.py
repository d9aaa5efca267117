"""A no-JavaScript browser for the widget: read a page's forms and submit them as a browser
would (hidden inputs, typed values, the clicked button's name and value)."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    method: str
    action: str
    inputs: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[dict] = field(default_factory=list)

    def button(self, text: str) -> dict:
        matches = [button for button in self.buttons if text in button["text"]]
        assert matches, f"no button {text!r} in {[b['text'] for b in self.buttons]}"
        return matches[0]


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self._button: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append(
                Form(attributes.get("method", "get").lower(), attributes.get("action", ""))
            )
        elif tag == "input" and self.forms and attributes.get("name"):
            self.forms[-1].inputs.append((attributes["name"], attributes.get("value") or ""))
        elif tag == "button" and self.forms:
            self._button = {
                "name": attributes.get("name"),
                "value": attributes.get("value", ""),
                "disabled": "disabled" in attributes,
                "text": "",
                "label": attributes.get("aria-label", ""),
            }
            self.forms[-1].buttons.append(self._button)

    def handle_data(self, data):
        if self._button is not None:
            self._button["text"] += data

    def handle_endtag(self, tag):
        if tag == "button":
            self._button = None


def forms(response) -> list[Form]:
    parser = _FormParser()
    parser.feed(response.content.decode())
    return parser.forms


def find_button(response, text: str) -> tuple[Form, dict]:
    for form in forms(response):
        for button in form.buttons:
            if text in button["text"] or text == button["label"]:
                return form, button
    raise AssertionError(f"no button {text!r} on the page")


def click(client, response, text: str, **typed):
    """Press the button showing `text` (or labelled so), with `typed` values filled in."""
    form, button = find_button(response, text)
    assert not button["disabled"], f"{text!r} is disabled"
    data = {}
    for name, value in form.inputs:
        data.setdefault(name, value)
    data.update(typed)
    if button["name"]:
        data[button["name"]] = button["value"]
    if form.method == "post":
        return client.post(form.action, data)
    return client.get(form.action, data)
