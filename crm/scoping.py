"""Office scoping for every domain model: `Model.objects.visible_to(user)`.

Owners and "all"-office users see every office; others see their offices; partner
logins see only records tied to their partner name (models name that field in
`partner_field`; a model without one shows partners nothing).
"""

from django.db import models


class OfficeScopedQuerySet(models.QuerySet):
    office_field = "office"
    partner_field: str | None = None

    def visible_to(self, user) -> "OfficeScopedQuerySet":
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == "partner":
            if not self.partner_field or not user.partner_name:
                return self.none()
            return self.filter(**{self.partner_field: user.partner_name})
        if user.sees_all_offices:
            return self.all()
        return self.filter(**{f"{self.office_field}__in": user.office_ids})
