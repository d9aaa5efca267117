"""📎 in the composer: image, video, audio or PDF up to 4 MB, the type read from the bytes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains

from crm.accounts.models import Role
from messaging.models import ATTACHMENT_MAX_BYTES, Attachment, Message
from tests.factories import OfficeFactory, UserFactory
from tests.messaging import panel_data

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


@pytest.fixture
def conversation(client):
    garage = OfficeFactory(name="Garage")
    client.force_login(UserFactory(role=Role.AGENT, offices=[garage]))
    return panel_data.thread(panel_data.line(garage))


def send(client, conversation, *files, body="Here it is"):
    return client.post(
        reverse("sms:reply"), {"thread": conversation.pk, "body": body, "attachments": list(files)}
    )


def padded(head: bytes, size: int) -> bytes:
    return head + b"\x00" * (size - len(head))


@pytest.mark.parametrize(
    ("head", "name", "kind"),
    [
        (PNG, "door.png", "image/png"),
        (PDF, "quote.pdf", "application/pdf"),
        (MP3, "voicemail.mp3", "audio/mpeg"),
        (MP4, "video.mp4", "video/mp4"),
    ],
)
def test_an_image_video_audio_or_pdf_goes_out_with_the_text(client, conversation, head, name, kind):
    upload = SimpleUploadedFile(name, padded(head, 2048), content_type="application/octet-stream")
    response = send(client, conversation, upload)
    assert response.status_code == 200
    stored = Attachment.objects.get(message__thread=conversation)
    assert (stored.name, stored.content_type, stored.size) == (name, kind, 2048)


def test_a_file_of_exactly_4_mb_is_accepted(client, conversation):
    upload = SimpleUploadedFile("big.png", padded(PNG, ATTACHMENT_MAX_BYTES), "image/png")
    assert send(client, conversation, upload).status_code == 200
    assert Attachment.objects.get().size == ATTACHMENT_MAX_BYTES


def test_4_mb_and_one_byte_is_refused_and_nothing_is_sent(client, conversation):
    upload = SimpleUploadedFile("big.png", padded(PNG, ATTACHMENT_MAX_BYTES + 1), "image/png")
    response = send(client, conversation, upload)
    assert response.status_code == 400
    assert "attachments go up to 4 MB" in response.json()["error"]
    assert not Message.objects.filter(direction="out").exists()
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "claimed"),
    [
        (b"MZ\x90\x00" + b"\x00" * 200, "invoice.pdf", "application/pdf"),  # an .exe
        (b"<html><script>alert(1)</script></html>", "photo.png", "image/png"),
        (b"just some words", "notes.txt", "text/plain"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "logo.svg", "image/svg+xml"),
    ],
)
def test_any_other_kind_of_file_is_refused_whatever_its_name_or_claimed_type(
    client, conversation, content, name, claimed
):
    response = send(client, conversation, SimpleUploadedFile(name, content, claimed))
    assert response.status_code == 400
    assert "not an image, video, audio file or PDF" in response.json()["error"]
    assert not Message.objects.filter(direction="out").exists()


def test_a_file_alone_may_go_without_text(client, conversation):
    upload = SimpleUploadedFile("door.png", padded(PNG, 512), "image/png")
    assert send(client, conversation, upload, body="").status_code == 200
    assert Attachment.objects.count() == 1


def test_a_picture_shows_inline_and_a_pdf_downloads(client, conversation):
    send(client, conversation, SimpleUploadedFile("door.png", padded(PNG, 512), "image/png"))
    send(client, conversation, SimpleUploadedFile("quote.pdf", padded(PDF, 512), "x/y"))
    picture, pdf = Attachment.objects.order_by("pk")

    shown = client.get(reverse("sms:attachment", args=[picture.pk]))
    downloaded = client.get(reverse("sms:attachment", args=[pdf.pk]))

    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline")
    assert downloaded["Content-Disposition"] == 'attachment; filename="quote.pdf"'
    assert "sandbox" in downloaded["Content-Security-Policy"]
    page = client.get(reverse("sms:thread", args=[conversation.pk]))
    assertContains(page, f'src="{reverse("sms:attachment", args=[picture.pk])}"', html=False)
    assertContains(page, "📎 quote.pdf")


def test_a_file_name_in_any_script_downloads_under_its_name(client, conversation):
    send(client, conversation, SimpleUploadedFile("фото «1».pdf", padded(PDF, 512), "x/y"))
    stored = Attachment.objects.get()
    response = client.get(reverse("sms:attachment", args=[stored.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")


def test_another_offices_attachment_is_not_found(client, conversation):
    send(client, conversation, SimpleUploadedFile("door.png", padded(PNG, 512), "image/png"))
    picture = Attachment.objects.get()
    client.force_login(UserFactory(role=Role.AGENT, offices=[OfficeFactory(name="Sliding")]))
    assert client.get(reverse("sms:attachment", args=[picture.pk])).status_code == 404
