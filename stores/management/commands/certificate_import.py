"""manage.py certificate_import --identifier <21 digits> --file <path> [--password-env VAR]"""

import getpass
import os
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stores.certificates import certificate_import, certificate_warnings
from stores.models import NTACertificate


class Command(BaseCommand):
    help = "Import an NTA client certificate from a PKCS#12 file. The password is never an argument."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--identifier", required=True, help="the 21-digit 識別符号")
        parser.add_argument("--file", required=True, type=Path)
        parser.add_argument("--password-env", metavar="VAR", help="read the password from this variable")
        parser.add_argument(
            "--password-file", metavar="PATH", type=Path, help="read the password from the first line of this file"
        )
        parser.add_argument("--holder", choices=NTACertificate.Holder.values, default=NTACertificate.Holder.STORE)

    def handle(
        self,
        *args: Any,
        identifier: str,
        file: Path,
        password_env: str | None,
        password_file: Path | None,
        holder: str,
        **options: Any,
    ) -> None:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from None
        password = self._password(password_env, password_file)
        try:
            record = certificate_import(actor=None, identifier=identifier, data=data, password=password, holder=holder)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"imported {record.identifier} serial {record.serial}, valid until {record.expires_on}")
        for warning in certificate_warnings(record):
            self.stderr.write(f"warning: {warning}")

    def _password(self, variable: str | None, path: Path | None) -> bytes:
        if variable:
            if variable not in os.environ:
                raise CommandError(f"the environment variable {variable} is not set")
            return os.environ[variable].encode()
        if path:
            try:
                return path.read_text().splitlines()[0].encode() if path.read_text() else b""
            except OSError as exc:
                raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        if not sys.stdin.isatty():
            raise CommandError("no terminal to ask for the password: give --password-env VAR or --password-file PATH")
        return getpass.getpass("PKCS#12 password: ").encode()
