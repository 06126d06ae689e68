"""The sociale kaart: an Open Referral HSDS-style export (organizations, services, locations)
of the partners and their open offers, as a zip of CSV files. Informal groups' addresses and
all contact details are left out, so it needs no audit."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
from sqlmodel import Session, select

from samenspel.services.exports import to_csv_bytes
from samenspel.services.records import exchange_id
from samenspel.storage.models import Offer, Organisation


def export_hsds(session: Session) -> dict[str, pd.DataFrame]:
    organizations, services, locations = [], [], []
    partners = session.exec(
        select(Organisation)
        .where(Organisation.role == "partner", Organisation.approval == "approved")
        .order_by(Organisation.id)
    )
    for org in partners:
        org_id = exchange_id(org)
        organizations.append({"id": org_id, "name": org.name, "description": org.description,
                              "legal_status": org.legal_form, "tax_status": "ANBI" if org.anbi else ""})  # fmt: skip
        if (
            org.lat is not None and org.legal_form != "informal"
        ):  # an informal group's address is a home
            locations.append({"id": f"L-{org_id}", "organization_id": org_id, "name": org.name,
                              "address_1": org.address, "postal_code": org.postcode, "city": org.municipality,
                              "latitude": org.lat, "longitude": org.lon})  # fmt: skip
        offers = select(Offer).where(Offer.organisation_id == org.id, Offer.status == "open")
        for offer in session.exec(offers):
            services.append({"id": exchange_id(offer), "organization_id": org_id, "name": offer.title,
                             "description": offer.description, "status": "active",
                             "keywords": offer.themes, "category": offer.kind})  # fmt: skip
    return {
        "organizations.csv": pd.DataFrame(organizations),
        "services.csv": pd.DataFrame(services),
        "locations.csv": pd.DataFrame(locations),
    }


def hsds_zip(session: Session) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, table in export_hsds(session).items():
            archive.writestr(name, to_csv_bytes(table))
    return buffer.getvalue()
