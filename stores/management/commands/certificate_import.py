"""manage.py certificate_import --identifier <21 digits> --file <path> [--password-env VAR]"""

import getpass
import os
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from stores.certificates import certificate_import
from stores.models import NTACertificate


class Command(BaseCommand):
    help = "Import an NTA client certificate from a PKCS#12 file. The password is never an argument."

    def add_arguments(self, parser):
        parser.add_argument("--identifier", required=True, help="the 21-digit 識別符号")
        parser.add_argument("--file", required=True, type=Path)
        parser.add_argument("--password-env", metavar="VAR", help="read the password from this variable")
        parser.add_argument("--holder", choices=NTACertificate.Holder.values, default=NTACertificate.Holder.STORE)

    def handle(self, *args, identifier, file, password_env, holder, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from None
        password = self._password(password_env)
        try:
            record = certificate_import(actor=None, identifier=identifier, data=data, password=password, holder=holder)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"imported {record.identifier} serial {record.serial}, valid until {record.expires_on}")

    def _password(self, variable: str | None) -> bytes:
        if variable:
            if variable not in os.environ:
                raise CommandError(f"the environment variable {variable} is not set")
            return os.environ[variable].encode()
        return getpass.getpass("PKCS#12 password: ").encode()
