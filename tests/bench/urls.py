"""The app's URLs plus bare Django views: the yardsticks for hot endpoints."""

import re

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from crm.urls import urlpatterns as crm_urlpatterns


def bare(request):
    """Touches neither the session nor the user: the cheapest view the stack can serve."""
    request.skip_live_scope = True
    return JsonResponse({"stamp": 0})


@login_required
def signed_in_bare(request):
    """The session and the user every page behind sign-in pays, then nothing: the floor
    list pages are measured against (tests/bench/scale.py)."""
    return HttpResponse("ok")


@csrf_exempt
def bare_insert(request):
    """One INSERT of a lead from the posted name and phone: the floor for webhook ingest."""
    from leads.models import Lead, LeadSource

    request.skip_live_scope = True
    source = LeadSource.objects.get(key="manual")
    lead = Lead.objects.create(
        office_id=source.default_office_id or request.GET["office"],
        source=source,
        first_name=request.POST["name"],
        phone=request.POST["phone"],
        phone_last10=request.POST["phone"][-10:],
    )
    return JsonResponse({"status": "success", "lead_id": lead.pk})


urlpatterns = [
    path("bench/bare", bare),
    path("bench/signed-in-bare", signed_in_bare),
    path("bench/bare-insert", bare_insert),
    *crm_urlpatterns,
]


# The 📱 SMS panel's reads as hand-written SQL (tests/bench/test_messaging_panel.py): the same
# rows the list and a thread show, answered as JSON by a signed-in view.
SMS_LIST = """
SELECT t.id, t.customer_phone, t.last_snippet, t.last_direction, t.last_message_at,
       t.unresolved_count, t.marked_unread, t.lead_id, l.first_name, l.last_name,
       ln.phone, ln.label, o.name
FROM messaging_thread t
JOIN messaging_line ln ON ln.id = t.line_id
LEFT JOIN leads_lead l ON l.id = t.lead_id
LEFT JOIN accounts_office o ON o.id = t.office_id
WHERE {where}
ORDER BY t.last_message_at DESC, t.id DESC
LIMIT 51
"""


@login_required
def sms_raw_list(request):
    from django.db import connection

    where, params = ["TRUE"], []
    offices = [int(office) for office in request.GET.getlist("office")]
    if offices:
        where.append(f"t.office_id IN ({', '.join(['%s'] * len(offices))})")
        params += offices
    if request.GET.get("unread"):
        where.append("(t.unresolved_count > 0 OR t.marked_unread)")
    text = " ".join(request.GET.get("q", "").split())
    if text:
        pattern = f"%{text.upper()}%"
        match = [
            "UPPER(l.first_name) LIKE %s",
            "UPPER(l.last_name) LIKE %s",
            "t.id IN (SELECT thread_id FROM messaging_message WHERE UPPER(body) LIKE %s)",
        ]
        params += [pattern] * 3
        words = text.split()
        if len(words) > 1:
            match.append("(UPPER(l.first_name) LIKE %s AND UPPER(l.last_name) LIKE %s)")
            params += [f"%{words[0].upper()}%", f"%{' '.join(words[1:]).upper()}%"]
        for word in words[:3]:  # names within trigram similarity
            if len(word) >= 3 and not word.isdigit():
                match.append("UPPER(l.first_name) %% %s OR UPPER(l.last_name) %% %s")
                params += [word.upper()] * 2
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) >= 3 and re.fullmatch(r"[\d\s()+.-]+", text):
            match.append("t.customer_last10 LIKE %s")
            params.append(f"%{digits[-10:]}%")
        where.append(f"({' OR '.join(match)})")
    with connection.cursor() as cursor:
        cursor.execute(SMS_LIST.format(where=" AND ".join(where)), params)
        rows = cursor.fetchall()
    return JsonResponse({"rows": rows})


@login_required
def sms_raw_thread(request, pk: int):
    from django.db import connection

    with connection.cursor() as cursor:
        # The thread with its number's opt-out state (the banners).
        cursor.execute(
            SMS_LIST.format(where="t.id = %s").replace(
                "FROM messaging_thread t",
                ", (SELECT s.word FROM messaging_suppression s"
                " WHERE s.last10 = t.customer_last10), EXISTS (SELECT 1 FROM"
                " messaging_possibleoptout p WHERE p.last10 = t.customer_last10"
                " AND p.decision = '') FROM messaging_thread t",
            ),
            [pk],
        )
        thread = cursor.fetchone()
        cursor.execute(
            "SELECT m.id, m.direction, m.body, m.status, m.error, m.purpose, m.created_at,"
            " u.first_name FROM messaging_message m"
            " LEFT JOIN accounts_user u ON u.id = m.sent_by_id"
            " WHERE m.thread_id = %s ORDER BY m.created_at DESC, m.id DESC LIMIT 101",
            [pk],
        )
        messages = cursor.fetchall()
        ids = [row[0] for row in messages[:100]] or [0]
        cursor.execute(
            "SELECT id, message_id, name, content_type, size FROM messaging_attachment"
            f" WHERE message_id IN ({', '.join(['%s'] * len(ids))})",
            ids,
        )
        files = cursor.fetchall()
        cursor.execute("SELECT id, name, body FROM messaging_smstemplate ORDER BY name")
        templates = cursor.fetchall()
    return JsonResponse(
        {"thread": thread, "messages": messages, "files": files, "templates": templates}
    )


urlpatterns += [
    path("bench/sms-raw-list", sms_raw_list),
    path("bench/sms-raw-thread/<int:pk>", sms_raw_thread),
]
