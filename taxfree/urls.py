from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from sales.api import payouts as payout_api
from sales.api import products as product_api
from sales.api import refunds as refund_api
from sales.api import views as api
from sales.capture import api as capture_api
from sales.exports import api as export_api
from sales.exports import views as export_views
from sales.inspector import views as inspector_views
from stores import api as webhook_api
from stores.views import filing_attachment
from taxfree import otp_views
from taxfree.api import DocsView, SchemaView, not_found

admin.site.site_header = admin.site.site_title = _("taxfree office")
admin.site.index_title = _("The office")

api_v1 = [
    path("eligibility/", api.EligibilityView.as_view(), name="eligibility"),
    path("sales/", api.SaleCreateView.as_view(), name="sales"),
    path("sales/<int:pk>/", api.SaleDetailView.as_view(), name="sale"),
    path("sales/<int:pk>/documents/<slug:name>.pdf", api.SaleDocumentView.as_view(), name="sale_document"),
    path("sales/<int:pk>/payout/", payout_api.PayoutView.as_view(), name="sale_payout"),
    path("products/", product_api.ProductListView.as_view(), name="products"),
    path("products/<int:pk>/", product_api.ProductDetailView.as_view(), name="product"),
    path("refunds/", refund_api.RefundCreateView.as_view(), name="refunds"),
    path("exports/<slug:name>.<str:fmt>", export_api.ExportView.as_view(), name="export"),
    path("captures/", capture_api.CaptureView.as_view(), name="captures"),
    path("webhooks/", webhook_api.WebhookListView.as_view(), name="webhooks"),
    path("webhooks/<int:pk>/", webhook_api.WebhookDetailView.as_view(), name="webhook"),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="staff:home", permanent=False)),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/otp/", otp_views.second_factor, name="second_factor"),
    path("accounts/otp/enrol/<str:secret>/", otp_views.enrolment_link, name="enrolment_link"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="api_docs"),
    path("staff/", include("sales.till.urls")),
    path("t/", include("sales.traveller.urls")),
    path("reports/", export_views.reports, name="reports"),
    path("reports/jobs/<int:pk>/", export_views.report_job, name="report_job"),
    path("reports/jobs/<int:pk>/download/", export_views.report_download, name="report_download"),
    path("reports/inspector/", inspector_views.inspector, name="inspector"),
    path("reports/inspector/customers/", inspector_views.customer_find, name="inspector_customers"),
    path(
        "reports/inspector/customers/<int:pk>/export/",
        inspector_views.customer_export,
        name="inspector_customer_export",
    ),
    path("filings/attachments/<int:pk>/", filing_attachment, name="filing_attachment"),
    re_path(r"^api/", not_found),  # last: any other address under /api/ answers JSON
]

# Django's refusals before any view (too large, too many fields) and server errors: JSON under /api/,
# a plain page elsewhere.
handler400 = "taxfree.errors.bad_request"
handler403 = "taxfree.errors.forbidden"
handler404 = "taxfree.errors.not_found"
handler500 = "taxfree.errors.server_error"
