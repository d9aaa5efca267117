"""Uploaded logos and service pictures: PNG, JPG or SVG up to 200 KB, kept as data URLs.

The type is read from the bytes, never from the file name. SVG is the dangerous one (it
is XML that may carry script), so it is rebuilt from an allowlist: unknown elements go
with their content (script, foreignObject, animation...), event handlers and external
references go, and a DOCTYPE (entity tricks) is refused outright.
"""

import base64
import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from django.core.exceptions import ValidationError

MAX_BYTES = 200 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# Drawing only: no script, no foreignObject (HTML inside SVG), no animation (<set> can
# rewrite an href to javascript:), no <a>, no <iframe>/<embed>/<object>.
SVG_ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "title", "desc", "symbol", "use", "path", "rect", "circle",
        "ellipse", "line", "polyline", "polygon", "text", "tspan", "textPath",
        "linearGradient", "radialGradient", "stop", "clipPath", "mask", "pattern", "image",
        "style", "filter", "feGaussianBlur", "feOffset", "feBlend", "feColorMatrix",
        "feFlood", "feComposite", "feMerge", "feMergeNode", "feDropShadow", "marker",
    }
)  # fmt: skip
SAFE_IMAGE_DATA = re.compile(r"^data:image/(png|jpe?g|gif|webp);base64,[a-z0-9+/=\s]+$", re.I)
# url(...) pointing anywhere but inside the document (#id).
EXTERNAL_URL = re.compile(r"url\(\s*(?![\s'\"]*#)[^)]*\)", re.I)
CSS_IMPORT = re.compile(r"@import[^;]*;?", re.I)
SCRIPT_SCHEMES = re.compile(r"(java|vb)script\s*:|data\s*:\s*text/html", re.I)

ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)


@dataclass(frozen=True)
class StoredImage:
    content_type: str
    data_url: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data_url.encode()).hexdigest()


def read_upload(upload, *, label: str = "The image") -> StoredImage:
    """Validate an uploaded file and return it as a data URL; ValidationError says why not."""
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError(
            f"{label} is larger than 200 KB ({_kb(upload.size or len(data))}). "
            "Export a smaller file (a logo rarely needs more than 600 px wide)."
        )
    if not data:
        raise ValidationError(f"{label} is an empty file.")
    if data.startswith(PNG_MAGIC):
        return _data_url("image/png", data)
    if data.startswith(JPEG_MAGIC):
        return _data_url("image/jpeg", data)
    if _looks_like_svg(data):
        return _data_url("image/svg+xml", sanitize_svg(data, label=label).encode())
    raise ValidationError(f"{label} must be a PNG, JPG or SVG image.")


def decode(data_url: str) -> bytes:
    return base64.b64decode(data_url.split(",", 1)[1])


def _kb(size: int) -> str:
    return f"{size / 1024:.0f} KB"


def _data_url(content_type: str, data: bytes) -> StoredImage:
    encoded = base64.b64encode(data).decode()
    return StoredImage(content_type, f"data:{content_type};base64,{encoded}")


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) and b"<svg" in data


def _local(name: str) -> tuple[str, str]:
    """("{ns}tag") → (ns, tag)."""
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return "", name


def sanitize_svg(data: bytes, *, label: str = "The image") -> str:
    """The SVG rebuilt from the allowlist, as text; ValidationError if it is not clean XML."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(f"{label} is not a readable SVG file (save it as UTF-8).") from None
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.I):
        # Entities can expand to gigabytes or pull in files; real logos never need them.
        raise ValidationError(f"{label} declares a DOCTYPE or entities; export a plain SVG.")
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        raise ValidationError(f"{label} is not a valid SVG file.") from None
    if _local(root.tag) != (SVG_NS, "svg"):
        raise ValidationError(f"{label} is not an SVG image (its root is not <svg>).")
    _clean(root)
    return ET.tostring(root, encoding="unicode")


def _clean(element: ET.Element) -> None:
    namespace, tag = _local(element.tag)
    for name in list(element.attrib):
        if not _keep_attribute(tag, name, element.attrib[name]):
            del element.attrib[name]
        elif name == "style":
            element.attrib[name] = _clean_css(element.attrib[name])
    if tag == "style":
        element.text = _clean_css(element.text or "")
    for child in list(element):
        child_namespace, child_tag = _local(child.tag) if isinstance(child.tag, str) else ("", "")
        if child_namespace != SVG_NS or child_tag not in SVG_ELEMENTS:
            element.remove(child)  # with everything inside it
        else:
            _clean(child)


def _keep_attribute(tag: str, name: str, value: str) -> bool:
    namespace, local = _local(name)
    if namespace not in ("", XLINK_NS, XML_NS):
        return False  # editor metadata (inkscape:, sodipodi:...) and unknown namespaces
    if local.lower().startswith("on"):
        return False  # event handlers: onload, onclick...
    if SCRIPT_SCHEMES.search(value):
        return False
    if local == "href":
        # Internal references only; a picture may embed a raster image as data.
        return value.startswith("#") or (tag == "image" and bool(SAFE_IMAGE_DATA.match(value)))
    return not EXTERNAL_URL.search(value)


def _clean_css(css: str) -> str:
    css = CSS_IMPORT.sub("", css)
    css = EXTERNAL_URL.sub("none", css)
    return SCRIPT_SCHEMES.sub("", css)
