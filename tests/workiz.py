"""The spec's "Outbound webhooks → Payload includes": the Workiz shape of a job. Lead
snapshots share it (their job-only fields empty) and add their own."""

WORKIZ_FIELDS = frozenset(
    {
        "UUID",
        "SerialId",
        "JobDateTime",
        "JobEndDateTime",
        "CreatedDate",
        "Status",
        "Phone",
        "Email",
        "FirstName",
        "LastName",
        "Company",
        "Address",
        "City",
        "State",
        "PostalCode",
        "Country",
        "Unit",
        "Latitude",
        "Longitude",
        "JobType",
        "JobSource",
        "ServiceArea",
        "Tags",
        "Team",
        "AreaCode",
        "OfficeAddress",
        "DepositAmount",
        "DisplayId",
        "Office",
    }
)
