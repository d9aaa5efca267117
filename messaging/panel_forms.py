"""The 📱 SMS panel's forms: the list's filters, the reply composer, the DEBUG inbound form."""

import filetype
from django import forms
from django.core.exceptions import ValidationError

from crm import widgets
from crm.phones import normalize_phone
from messaging.models import ATTACHMENT_MAX_BYTES, Attachment, Line
from messaging.panel_queries import ThreadFilters


class ThreadFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=100)
    office = forms.TypedMultipleChoiceField(
        coerce=int, required=False, label="🏢 Offices", widget=widgets.MultiSelectDropdown
    )
    unread = forms.BooleanField(required=False, label="Unread only")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the user's own offices are offered (and accepted).
        self.fields["office"].choices = [
            (office_id, name) for office_id, name, _ in user.visible_offices
        ]

    def filters(self) -> ThreadFilters:
        """The chosen filters; a value the form refuses (an office not hers) is dropped, the
        others still apply."""
        self.is_valid()
        data = self.cleaned_data
        return ThreadFilters(
            text=" ".join((data.get("q") or "").split()),
            office_ids=tuple(data.get("office") or ()),
            unread_only=bool(data.get("unread")),
        )

    def office_menu(self) -> dict:
        return widgets.menu(self["office"])


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one field (Django's documented pattern), each checked on its own."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(ACCEPT)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [checked_attachment(super(AttachmentsField, self).clean(one)) for one in files]


ACCEPT = ("image/*", "video/*", "audio/*", "application/pdf")


def checked_attachment(upload):
    """`upload` with its content type as read from its bytes (never the browser's word);
    ValidationError for a file over 4 MB or of any other kind than image, video, audio, PDF."""
    if upload.size > ATTACHMENT_MAX_BYTES:
        megabytes = upload.size / (1024 * 1024)
        raise ValidationError(f"{upload.name} is {megabytes:.1f} MB: attachments go up to 4 MB.")
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    upload.seek(0)
    content_type = kind.mime if kind else ""
    if not Attachment.is_allowed(content_type, upload.size):
        raise ValidationError(
            f"{upload.name} is not an image, video, audio file or PDF: it can't be sent."
        )
    upload.content_type = content_type
    return upload


class ReplyForm(forms.Form):
    thread = forms.IntegerField(widget=forms.HiddenInput)
    body = forms.CharField(
        required=False,
        max_length=1600,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Type a reply…"}),
        label="Reply",
    )
    attachments = AttachmentsField(required=False, label="📎 Attach")

    def clean(self):
        data = super().clean()
        body = (data.get("body") or "").strip()
        if not body and not data.get("attachments") and not self.errors:
            raise ValidationError("Write a message or attach a file.")
        data["body"] = body
        return data


class SimulateInboundForm(forms.Form):
    """DEBUG only: text in as a customer on one of the user's lines (console provider)."""

    line = forms.ModelChoiceField(
        queryset=Line.objects.none(), label="To our line", empty_label=None
    )
    from_phone = forms.CharField(label="From (customer)", max_length=30)
    body = forms.CharField(label="Text", max_length=1600, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        lines = Line.objects.select_related("office")
        if not user.sees_all_offices:
            lines = lines.filter(office_id__in=user.office_ids)
        self.fields["line"].queryset = lines

    def clean_from_phone(self) -> str:
        try:
            return normalize_phone(self.cleaned_data["from_phone"])
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
