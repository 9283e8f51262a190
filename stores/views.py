from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404

from taxfree.models import AuditAction, audit

from .models import FilingAttachment


@login_required
def filing_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Filing attachments are private: served only to users who may view filings."""
    if not request.user.has_perm("stores.view_filing"):
        raise PermissionDenied
    attachment = get_object_or_404(FilingAttachment, pk=pk)
    name = attachment.file.name or ""
    audit(request.user, AuditAction.ATTACHMENT_DOWNLOAD, attachment.filing, name)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=name.rsplit("/")[-1])
