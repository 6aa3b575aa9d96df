"""A user's own data as one ZIP: ``account_export(user=...)``.

Contents, always in this order:

``account.json``
    email, display name, role, dates; the employers the user added to the directory; how many
    calendar feeds exist (never their secret tokens, never the API token or the password hash).
``cases.json``
    every case the user owns, oldest first: all of its fields, its timeline events (with details),
    its letters and attachments (with the path of each file inside the ZIP), its deadline rows,
    reminders and checklist items when the tracking app has them.
``cases/<reference>/letters/NN-<kind>-<short id>.pdf``
    every final letter's PDF, exactly the stored bytes.
``cases/<reference>/attachments/NN-<name>``
    every uploaded attachment, exactly the stored bytes.
``manifest.txt``
    the SHA-256 and size of every file above.

Every ZIP entry carries the same timestamp and the order is fixed, so the same data gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from django.core.serializers.json import DjangoJSONEncoder

from deletion_portal.accounts.hooks import AccountExport, export_steps

ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
EXPORT_FORMAT = 1


def _account_data(user) -> dict:
    return {
        "export_format": EXPORT_FORMAT,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "email_confirmed_at": user.email_confirmed_at,
        "is_active": user.is_active,
    }


def account_export(*, user) -> bytes:
    """The ZIP of everything the portal holds about ``user`` (see the module docstring): the account's own
    fields, and what every app registered in ``accounts.hooks`` adds."""
    export = AccountExport(account=_account_data(user))
    for step in export_steps():
        step(user=user, export=export)

    def as_json(data) -> bytes:
        return (json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()

    entries = [("account.json", as_json(export.account)),
               *((name, as_json(data)) for name, data in export.documents), *export.files]
    manifest = ["# SHA-256  size  file", *(
        f"{hashlib.sha256(content).hexdigest()}  {len(content)}  {path}" for path, content in entries
    )]
    manifest += [f"# missing from storage: {path}" for path in export.missing]
    entries.append(("manifest.txt", ("\n".join(manifest) + "\n").encode()))

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in entries:
            info = zipfile.ZipInfo(path, date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def account_export_filename(*, user) -> str:
    """A download name without personal data (no email address in it)."""
    return "deletion-portal-my-data.zip"
