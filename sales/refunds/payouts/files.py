"""The bank payout file: ISO 20022 `pain.001` (customer credit transfer initiation) for the bank,
and a CSV for people to read.

[design] pain.001.001.09 by default (PAYOUT_PAIN001_VERSION: 001.001.03 for banks that still ask
for it), one payment information block in yen from the business's payout account; each refund is
one transaction whose EndToEndId is the attempt's key, so the bank's report names the sale. The
creditor's account is an IBAN where the country has them, otherwise the account number (`Othr`),
with the bank's BIC: most travellers' banks (China, Taiwan, Korea, Thailand, the US) have no IBAN,
which is why no SEPA-only library fits. Charges: DEBT when the shop bears the fees (the traveller
gets the whole refund), SHAR otherwise. The tests validate both versions against the official
schemas. The CSV shows accounts masked: only the XML carries them whole."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings

from .details import mask_name

VERSIONS = ("001.001.09", "001.001.03")


@dataclass(frozen=True)
class Line:
    """One transfer of the file, the creditor's details in clear."""

    end_to_end_id: str
    sale_id: int
    amount: int
    holder: str
    bank_country: str
    bic: str
    iban: str
    account_number: str
    remittance: str


@dataclass(frozen=True)
class Debtor:
    holder: str
    iban: str
    account_number: str
    bic: str
    currency: str


def pain001(message_id: str, created: datetime, execution: date, debtor: Debtor, lines: list[Line]) -> str:
    version = settings.PAYOUT_PAIN001_VERSION
    ns = f"urn:iso:std:iso:20022:tech:xsd:pain.{version}"
    document = ET.Element("Document", xmlns=ns)
    root = ET.SubElement(document, "CstmrCdtTrfInitn")
    total = str(sum(line.amount for line in lines))
    header = ET.SubElement(root, "GrpHdr")
    _texts(header, MsgId=message_id, CreDtTm=created.isoformat(timespec="seconds"), NbOfTxs=str(len(lines)))
    _texts(header, CtrlSum=total)
    _texts(ET.SubElement(header, "InitgPty"), Nm=debtor.holder)
    block = ET.SubElement(root, "PmtInf")
    _texts(block, PmtInfId=message_id, PmtMtd="TRF", BtchBookg="false", NbOfTxs=str(len(lines)), CtrlSum=total)
    when = ET.SubElement(block, "ReqdExctnDt")
    if version == "001.001.03":
        when.text = execution.isoformat()
    else:
        _texts(when, Dt=execution.isoformat())
    _texts(ET.SubElement(block, "Dbtr"), Nm=debtor.holder)
    _account(block, "DbtrAcct", debtor.iban, debtor.account_number, debtor.currency)
    _agent(block, "DbtrAgt", debtor.bic, version)
    _texts(block, ChrgBr="DEBT" if settings.PAYOUT_FEE_BORNE_BY == "shop" else "SHAR")
    for line in lines:
        _transaction(block, line, debtor.currency, version)
    ET.indent(document, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(document, encoding="unicode") + "\n"


def _transaction(block: ET.Element, line: Line, currency: str, version: str) -> None:
    tx = ET.SubElement(block, "CdtTrfTxInf")
    _texts(ET.SubElement(tx, "PmtId"), InstrId=line.end_to_end_id[-35:], EndToEndId=line.end_to_end_id[-35:])
    amount = ET.SubElement(ET.SubElement(tx, "Amt"), "InstdAmt", Ccy=currency)
    amount.text = str(line.amount)
    _agent(tx, "CdtrAgt", line.bic, version)
    creditor = ET.SubElement(tx, "Cdtr")
    _texts(creditor, Nm=line.holder[:70])
    _texts(ET.SubElement(creditor, "PstlAdr"), Ctry=line.bank_country)
    _account(tx, "CdtrAcct", line.iban, line.account_number, "")
    _texts(ET.SubElement(tx, "RmtInf"), Ustrd=line.remittance[:140])


def _account(parent: ET.Element, tag: str, iban: str, number: str, currency: str) -> None:
    account = ET.SubElement(parent, tag)
    identification = ET.SubElement(account, "Id")
    if iban:
        _texts(identification, IBAN=iban)
    else:
        _texts(ET.SubElement(identification, "Othr"), Id=number)
    if currency:
        _texts(account, Ccy=currency)


def _agent(parent: ET.Element, tag: str, bic: str, version: str) -> None:
    institution = ET.SubElement(ET.SubElement(parent, tag), "FinInstnId")
    ET.SubElement(institution, "BIC" if version == "001.001.03" else "BICFI").text = bic


def _texts(parent: ET.Element, **children: str) -> None:
    for tag, text in children.items():
        ET.SubElement(parent, tag).text = text


CSV_COLUMNS = ("line", "sale", "end_to_end_id", "account_holder", "account", "bic", "bank_country", "amount_jpy")


def readable_csv(lines: Iterable[Line]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # spreadsheets read UTF-8 with a BOM
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for n, line in enumerate(lines, start=1):
        account = f"IBAN {line.iban[:4]} •••• {line.iban[-4:]}" if line.iban else f"•••• {line.account_number[-4:]}"
        writer.writerow(
            [
                n,
                line.sale_id,
                line.end_to_end_id,
                mask_name(line.holder),
                account,
                line.bic,
                line.bank_country,
                line.amount,
            ]
        )
    return out.getvalue()
