"""CallTrackingMetrics REST API v1: HTTP Basic (access key : secret key) per account.

POST /api/v1/accounts/<id>/sms sends (to, from, msg; MMS files as multipart `media`);
GET /api/v1/accounts/<id>/numbers lists our numbers (paged); GET .../calls the recent
calls. The base URL is a setting (CTM_BASE_URL) so tests talk to a local server.
"""

from dataclasses import dataclass

import httpx
from django.conf import settings

from messaging.providers.base import Provider, SendFailed

TIMEOUT = httpx.Timeout(15.0, connect=5.0)
PER_PAGE = 100
MAX_PAGES = 50  # 5,000 numbers: far beyond any account, and a bound on a looping API


@dataclass(frozen=True)
class CtmNumber:
    provider_ref: str
    phone: str
    label: str


class CtmProvider(Provider):
    name = "ctm"

    def __init__(self, *, account_id: str, access_key: str, secret_key: str):
        self.account_id = account_id
        self.auth = (access_key, secret_key)

    @classmethod
    def from_settings(cls, stored) -> "CtmProvider":
        return cls(
            account_id=stored.ctm_account_id,
            access_key=str(stored.ctm_access_key),
            secret_key=str(stored.ctm_secret_key),
        )

    def _url(self, path: str) -> str:
        return f"{settings.CTM_BASE_URL.rstrip('/')}/api/v1/accounts/{self.account_id}/{path}"

    def _request(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = httpx.request(
                method, self._url(path), auth=self.auth, timeout=TIMEOUT, **kwargs
            )
        except httpx.HTTPError as exc:
            raise SendFailed(f"CTM could not be reached ({type(exc).__name__}).") from exc
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code >= 400 or (isinstance(data, dict) and data.get("error")):
            raise SendFailed(_error_text(data, response))
        return data if isinstance(data, dict) else {}

    def send(self, *, from_phone: str, to: str, body: str, files=()) -> str:
        fields = {"to": to, "from": from_phone, "msg": body}
        upload = [("media", (f.name, f.content, f.content_type)) for f in files]
        data = self._request("POST", "sms", data=fields, files=upload or None)
        return str(data.get("id") or data.get("sid") or "")

    def numbers(self) -> list[CtmNumber]:
        """Every number on the account, following the pages."""
        found: list[CtmNumber] = []
        for page in range(1, MAX_PAGES + 1):
            data = self._request("GET", "numbers", params={"page": page, "per_page": PER_PAGE})
            for row in data.get("numbers") or []:
                phone = row.get("number") or row.get("formatted") or ""
                if phone:
                    found.append(
                        CtmNumber(str(row.get("id", "")), str(phone), str(row.get("name") or ""))
                    )
            if page >= int(data.get("total_pages") or 1):
                break
        return found

    def recent_calls(self, *, per_page: int = 25) -> list[dict]:
        """The account's latest calls as CTM describes them (for the AI assistant)."""
        return self._request("GET", "calls", params={"per_page": per_page}).get("calls") or []


def _error_text(data, response: httpx.Response) -> str:
    if isinstance(data, dict):
        for key in ("error", "message", "errors", "status"):
            value = data.get(key)
            if value and value not in ("success", "processing"):
                return str(value)[:500]
    return f"CTM answered HTTP {response.status_code}."
