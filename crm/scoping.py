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


def is_visible_to(obj: models.Model, user) -> bool:
    """Would `type(obj).objects.visible_to(user)` hold `obj`, archive state aside?

    Staff scope reads the user's cached office ids (no query); a partner's scope is
    the model's own partner rule, asked of the database.
    """
    queryset = type(obj)._default_manager.all()
    if not isinstance(queryset, OfficeScopedQuerySet):
        raise TypeError(f"{type(obj).__name__} has no office scope.")
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role != "partner" and queryset.office_field == "office":
        return user.sees_all_offices or obj.office_id in user.office_ids
    # The base rule, not the model's: a Lead/Job `visible_to` also hides archived rows.
    return OfficeScopedQuerySet.visible_to(queryset, user).filter(pk=obj.pk).exists()
