"""Case views: the drafting wizard, the case page, "track a request sent elsewhere", "My cases".

Thin plain functions: every case-bound view starts with ``case_get_for`` (the access policy: a 404
for anyone without the need), validates a form, calls one service and redirects; a service's
``ValidationError`` is shown on the form with the values entered, never as a 500.
"""

from deletion_portal.cases.views.case import (
    attachment_download,
    attachment_share,
    case_delete,
    case_detail,
    case_employer_access,
    case_send_email,
    letter_pdf,
    record_event,
    record_post,
    record_web_form,
)
from deletion_portal.cases.views.common import letter_as_text
from deletion_portal.cases.views.track import case_track
from deletion_portal.cases.views.wizard import (
    case_finalize,
    case_list,
    case_new,
    case_preview_pdf,
    case_step,
)

__all__ = [
    "attachment_download", "attachment_share", "case_delete", "case_detail", "case_employer_access", "case_finalize", "case_list", "case_new", "case_preview_pdf",
    "case_send_email", "case_step", "case_track", "letter_as_text", "letter_pdf", "record_event", "record_post",
    "record_web_form",
]
