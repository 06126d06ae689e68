"""Data in and out, for brokers and administrators: import spreadsheets, export lists and a
sociale kaart, and (administrators) make a backup."""

import io

import pandas as pd
import streamlit as st

from samenspel.i18n import t
from samenspel.services import transfer
from samenspel.services.backup import BackupError, default_path, make_backup
from samenspel.services.errors import DomainError, InvalidInput
from samenspel.web.ui import (
    actor,
    current_user,
    get_engine,
    plain,
    require_page,
    show_domain_error,
    write,
)

require_page("samenspel/web/views/data.py")
P = "data"
MAX_ERRORS_SHOWN = 200
user = current_user()
st.title(t("Gegevens in en uit"))
KIND_LABELS = {
    "organisations": t("organisaties"),
    "needs": t("vragen"),
    "offers": t("aanbod"),
    "funds": t("fondsen"),
}
import_tab, export_tab, backup_tab = st.tabs([t("Importeren"), t("Exporteren"), t("Backup")])

with import_tab:
    st.write(
        t(
            "Zet een lijst uit een spreadsheet of sociale kaart in Samenspel. Gebruik de kolommen van het "
            "uitwisselformaat: exporteer eerst een lijst (tab Exporteren), dan zie je welke kolommen er "
            "zijn. Een fout in een rij houdt de andere rijen niet tegen."
        )
    )
    upload = st.file_uploader(
        t("Kies een bestand (CSV of Excel)"), type=["csv", "xlsx"], key=f"{P}_upload"
    )
    kind = st.selectbox(
        t("Wat staat erin?"),
        [None, *transfer.KINDS_OF_FILE],
        key=f"{P}_kind",
        format_func=lambda k: t("herken het zelf") if k is None else KIND_LABELS[k],
    )
    if upload is not None:
        content = upload.getvalue()
        try:
            preview = pd.read_csv(
                io.StringIO(transfer.read_table(upload.name, content)), dtype=str, nrows=20
            )
            st.caption(t("Voorbeeld: de eerste rijen"))
            st.dataframe(preview, hide_index=True, width="stretch")
        except Exception:  # noqa: BLE001 - an unreadable file is reported by the import below
            st.warning(t("We kunnen geen voorbeeld laten zien. Importeren vertelt wat er mis is."))
        if st.button(t("Importeren"), type="primary", key=f"{P}_go"):
            bar = st.progress(0.0, text=t("Bezig met importeren..."))
            try:
                report = write(
                    transfer.import_file, filename=upload.name, content=content, kind=kind,
                    progress=lambda fraction: bar.progress(min(1.0, fraction), text=t("Bezig met importeren...")),
                )  # fmt: skip
                bar.progress(1.0, text=t("Klaar"))
                st.success(t("{kind}: {new} nieuw, {updated} bijgewerkt.", kind=KIND_LABELS[report.kind],
                             new=report.created, updated=report.updated))  # fmt: skip
                if report.errors:
                    st.warning(t("{n} rijen zijn niet ingelezen. Verbeter ze en importeer het bestand opnieuw:",
                                 n=len({e.row for e in report.errors})))  # fmt: skip
                    # Plain lines, not a grid: readable by screen readers, and easy to copy.
                    shown = report.errors[:MAX_ERRORS_SHOWN]
                    st.text("\n".join(
                        t("rij {row}, kolom '{column}': {message}", row=e.row, column=e.column, message=e.message)
                        for e in shown
                    ))  # fmt: skip
                    if len(report.errors) > len(shown):
                        st.caption(t("en nog {n} fouten", n=len(report.errors) - len(shown)))
            except InvalidInput as exc:
                bar.empty()
                # The reasons quote the file's own cells: plain() keeps them text, not markdown.
                reason = plain("; ".join(exc.field_errors.values()))
                st.error(t("Niet geïmporteerd: {reason}", reason=reason))
            except DomainError as exc:
                bar.empty()
                show_domain_error(exc)

with export_tab:
    what = st.selectbox(t("Wat wil je downloaden?"), transfer.EXPORTS,
                        key=f"{P}_what", format_func=lambda w: {
                            "needs": t("vragen"), "offers": t("aanbod"), "matches": t("matches met redenen"),
                            "funds": t("fondsen"), "organisations": t("organisaties"),
                            "hsds": t("sociale kaart (Open Referral HSDS)"),
                        }[w])  # fmt: skip
    with_contacts = False
    if what in ("organisations", "needs", "offers") and user.role == "admin":
        with_contacts = st.checkbox(
            t("Met contactgegevens en adressen (alleen beheerder; wordt vastgelegd)"),
            key=f"{P}_contacts",
        )
    as_excel = (
        what != "hsds"
        and st.radio(t("Formaat"), ["CSV", "Excel"], horizontal=True, key=f"{P}_format") == "Excel"
    )
    if st.button(t("Download klaarmaken"), key=f"{P}_prepare"):
        try:
            # One unit of work: an export with contacts or exact places is audited in it.
            exported = write(transfer.export_file, what=what, full=with_contacts,
                           with_contacts=with_contacts, excel=as_excel)  # fmt: skip
            st.session_state[f"{P}_file"] = (exported.data, exported.filename)
        except DomainError as exc:
            show_domain_error(exc)
    if st.session_state.get(f"{P}_file"):
        data, name = st.session_state[f"{P}_file"]
        st.download_button(
            t("Download {name}", name=name), data, file_name=name, key=f"{P}_download"
        )

with backup_tab:
    if user.role != "admin":
        st.info(t("Alleen de beheerder maakt backups."))
    else:
        st.write(
            t(
                "Een backup is een kopie van de hele database. Terugzetten gaat met 'samenspel restore'."
            )
        )
        if st.button(t("Backup maken"), key=f"{P}_backup"):
            engine = get_engine()
            try:
                # Every contact and password hash: audited (who, when, which file).
                path = make_backup(
                    engine, default_path(engine), actor=actor(), detail="downloaded in the app"
                )
                # The file name only: the server's folders are nobody's business.
                st.success(t("Backup gemaakt: {path}", path=plain(path.name)))
                st.download_button(
                    t("Download de backup"),
                    path.read_bytes(),
                    file_name=path.name,
                    key=f"{P}_backup_download",
                )
            except (BackupError, OSError) as exc:
                st.error(plain(str(exc)))
            except DomainError as exc:
                show_domain_error(exc)
