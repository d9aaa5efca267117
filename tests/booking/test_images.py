"""Logos and service images: PNG, JPG or SVG up to 200 KB, by content not by name; SVG
rebuilt so it cannot carry script or reach outside itself."""

import base64
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from booking.images import MAX_BYTES, read_upload, sanitize_svg

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64


def upload(content: bytes, name: str = "logo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(("content", "content_type"), [(PNG, "image/png"), (JPG, "image/jpeg")])
def test_png_and_jpg_become_data_urls(content, content_type):
    image = read_upload(upload(content, "photo.bin"))  # the name says nothing
    assert image.content_type == content_type
    assert image.data_url == f"data:{content_type};base64," + base64.b64encode(content).decode()
    assert len(image.digest) == 64


def test_exactly_200_kb_is_accepted_and_one_byte_more_is_not():
    assert read_upload(upload(PNG + b"\x00" * (MAX_BYTES - len(PNG))))
    with pytest.raises(ValidationError, match=r"larger than 200 KB \(200 KB\)"):
        read_upload(upload(PNG + b"\x00" * (MAX_BYTES - len(PNG) + 1)), label="The logo")


@pytest.mark.parametrize(
    "content",
    [GIF, b"%PDF-1.4 ...", b"<html><script>alert(1)</script></html>", b"just text"],
    ids=["gif", "pdf", "html", "text"],
)
def test_other_types_are_refused_whatever_their_name(content):
    with pytest.raises(ValidationError, match="must be a PNG, JPG or SVG image"):
        read_upload(upload(content, "logo.png"), label="The logo")


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="is an empty file"):
        read_upload(upload(b""))


EVIL_SVG = b"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
     viewBox="0 0 100 40" onload="alert('load')" inkscape:version="1.3">
  <script>alert('script')</script>
  <script type="text/ecmascript" xlink:href="https://evil.example/x.js"/>
  <style>@import url(https://evil.example/track.css);
    .a { fill: url(https://evil.example/p.png); } .b { fill: url(#grad); }</style>
  <defs><linearGradient id="grad"><stop offset="0" stop-color="#0f766e"/></linearGradient></defs>
  <rect class="a" width="100" height="40" onclick="steal()" style="background:url('https://evil.example/bg')"/>
  <circle cx="20" cy="20" r="10" fill="url(#grad)"/>
  <a xlink:href="javascript:alert('link')"><text x="30" y="25">Click</text></a>
  <foreignObject width="100" height="40"><body xmlns="http://www.w3.org/1999/xhtml"><iframe src="https://evil.example"/></body></foreignObject>
  <image href="https://evil.example/pixel.png" width="1" height="1"/>
  <image xlink:href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>
  <use href="https://evil.example/sprite.svg#icon"/>
  <use href="#grad"/>
  <set attributeName="href" to="javascript:alert('set')"/>
  <animate attributeName="x" values="0;1" dur="1s"/>
  <text x="5" y="35">Sliding Door Pros</text>
</svg>"""


def test_svg_is_sanitised_and_cannot_carry_script():
    image = read_upload(upload(EVIL_SVG, "logo.svg"))
    assert image.content_type == "image/svg+xml"
    svg = base64.b64decode(image.data_url.split(",", 1)[1]).decode()
    lowered = svg.lower()
    for forbidden in (
        "<script", "onload", "onclick", "foreignobject", "<iframe", "javascript:",
        "evil.example", "@import", "<set", "<animate", "inkscape",
    ):  # fmt: skip
        assert forbidden not in lowered, forbidden
    # What makes the logo a logo survives.
    root = ET.fromstring(svg)
    tags = {element.tag.split("}")[1] for element in root.iter()}
    assert {"svg", "rect", "circle", "text", "linearGradient", "stop", "use", "image"} <= tags
    assert "Sliding Door Pros" in svg
    assert 'fill="url(#grad)"' in svg and "url(#grad)" in svg.split("<style>")[1]
    assert 'href="#grad"' in svg
    assert "data:image/png;base64,iVBORw0KGgo=" in svg
    assert not any(
        attribute.lower().startswith("on")
        for element in root.iter()
        for attribute in element.attrib
    )


def test_an_svg_with_entities_is_refused():
    bomb = b"""<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>"""
    with pytest.raises(ValidationError, match="declares a DOCTYPE or entities"):
        sanitize_svg(bomb)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><g></svg>", "not a valid SVG file"),
        (b"<?xml version='1.0'?><html><svg/></html>", "not an SVG image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'>\xff\xfe</svg>", "not a readable SVG file"),
    ],
)
def test_broken_svg_is_refused_with_a_reason(content, message):
    with pytest.raises(ValidationError, match=message):
        read_upload(upload(content, "logo.svg"))


@pytest.mark.django_db
def test_a_served_svg_may_not_run_or_fetch_anything_even_opened_directly(client, make_embed):
    from booking.images import StoredImage

    image = read_upload(upload(EVIL_SVG, "logo.svg"))
    embed = make_embed(logo=image)
    assert isinstance(image, StoredImage)
    response = client.get(f"/book/img/{embed.logo}")
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"<script" not in response.content


@pytest.mark.django_db
def test_an_unknown_image_is_a_404(client):
    assert client.get("/book/img/" + "0" * 64).status_code == 404
