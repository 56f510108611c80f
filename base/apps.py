from django.apps import AppConfig


class BaseConfig(AppConfig):
    name = "base"
    verbose_name = "Portal base"

    def ready(self):
        from django.db.models.signals import pre_save
        from wagtail.documents import get_document_model

        from .documents import strip_document_on_save

        # Documents are Wagtail's own model: stripping hooks in by signal, not a subclass.
        pre_save.connect(
            strip_document_on_save,
            sender=get_document_model(),
            dispatch_uid="base.strip_document_metadata",
        )

        from .private_media import _connect

        _connect()  # members-only files follow their collection's privacy (private_media.py)
