"""A lead as outbound payloads show it: the Workiz shape (spec: "Outbound webhooks →
Payload includes") plus the lead-only extras, built at emit time and stored in the event.

Built from the lead the action holds with its `office` and `source` loaded (the lock
query's select_related): no query of its own. Job-only fields (schedule, team, deposit)
are empty: a lead has none yet.
"""

from leads.models import Lead, Status, Urgency

# What the snapshot reads through foreign keys (select_related these in the lock query).
SNAPSHOT_RELATED = ("office", "source")


def _area_code(phone: str) -> str:
    """+13055550142 → 305 (US numbers are stored in E.164)."""
    return phone[2:5] if phone.startswith("+1") and len(phone) == 12 else ""


def lead_snapshot(lead: Lead) -> dict:
    """The lead in the Workiz shape, as it is now. Urgency is the live one at this moment."""
    received = lead.received_at.astimezone(lead.local_zone).isoformat() if lead.received_at else ""
    return {
        "UUID": str(lead.uuid),
        "SerialId": lead.pk,
        "LeadId": lead.pk,
        "DisplayId": lead.display_id,
        "JobDateTime": "",
        "JobEndDateTime": "",
        "CreatedDate": received,
        "Status": Status(lead.status).label,
        "Phone": lead.phone,
        "Email": lead.email,
        "FirstName": lead.first_name,
        "LastName": lead.last_name,
        "Company": "",
        "Address": "",
        "City": lead.city,
        "State": lead.state,
        "PostalCode": lead.zip_code,
        "Country": "US",
        "Unit": "",
        "Latitude": None,
        "Longitude": None,
        "JobType": lead.service_type,
        "JobSource": lead.source.label,
        "ServiceArea": lead.metro,
        "Tags": [],
        "Team": "",
        "AreaCode": _area_code(lead.phone),
        "OfficeAddress": "",
        "DepositAmount": "",
        "Office": lead.office.name,
        "Urgency": Urgency(lead.urgency).label,
        "Campaign": lead.campaign,
        "FbLeadId": lead.fb_lead_id,
        "IrrelevantReason": lead.irrelevant_reason,
    }
