from django.urls import path

from . import views

app_name = "staff"
urlpatterns = [
    path("", views.home, name="home"),
    path("stores/<int:store_id>/sale/", views.sale_start, name="start"),
    path("stores/<int:store_id>/products/", views.product_search, name="products"),
    path("stores/<int:store_id>/sale/<str:draft>/", views.customer_step, name="customer"),
    path("stores/<int:store_id>/sale/<str:draft>/items/", views.basket, name="basket"),
    path("stores/<int:store_id>/sale/<str:draft>/rules/", views.explain, name="explain"),
    path("stores/<int:store_id>/sale/<str:draft>/finish/", views.finish, name="finish"),
    path("stores/<int:store_id>/sale/<str:draft>/discard/", views.discard, name="discard"),
    path("sales/<int:pk>/", views.sale_detail, name="sale"),
    path("sales/<int:pk>/cancel/", views.sale_cancel, name="cancel"),
    path("sales/<int:pk>/refund/", views.refund_cash, name="refund"),
    path("sales/<int:pk>/payout/", views.payout_route, name="payout"),
    path("sales/<int:pk>/refund/card/", views.card_refund, name="card_refund"),
    path("sales/<int:pk>/documents/all.pdf", views.sale_documents, name="documents"),
    path("sales/<int:pk>/documents/<slug:name>.pdf", views.sale_document, name="document"),
]
