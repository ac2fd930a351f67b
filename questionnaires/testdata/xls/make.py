#!/usr/bin/python3
"""Writes the .xls fixtures of questionnaires/testdata/xls (see README.md).

Run from this folder with Debian's python3 (python3-xlwt, python3-xlrd)
and LibreOffice (libreoffice-calc-nogui) installed:

    /usr/bin/python3 make.py

It writes one household questionnaire three ways:
  household.fods       the source, a LibreOffice flat spreadsheet (XML)
  household.xls        LibreOffice's own .xls export of household.fods
  household-xlwt.xls   the same cells written by xlwt (as KoboToolbox
                       exports .xls)
  ../forms/numbers.xls LibreOffice's .xls export of ../forms/numbers.xlsx
and, for each .xls, NAME.cells: the cells as xlrd (the reader pyxform uses
for .xls) reads them, written as pyxform's xls_value_to_unicode writes
them, except dates (ISO, as Enquete writes date cells of .xlsx too).
"""

import datetime
import json
import os
import subprocess
import sys
from xml.sax.saxutils import escape

import xlrd
import xlwt


class Formula:
    """A formula cell with its computed text."""

    def __init__(self, formula, value):
        self.formula, self.value = formula, value


FR, MG, AR = "Français (fr)", "Malagasy (mg)", "العربية (ar)"

REGIONS = [
    (1, "Analamanga", "Analamanga", "أنالامانغا"),
    (2, "Vakinankaratra", "Vakinankaratra", "فاكينانكاراترا"),
    (3, "Atsinanana", "Atsinanana", "أتسينانانا"),
]


def survey():
    """The survey sheet; an empty row parts the sections, as in field forms."""
    long_note = (
        "Misaotra tompoko ! Merci d'avoir répondu à toutes les questions. "
        "Les réponses sont scellées sur cet ordinateur et ne seront lues que "
        "par l'équipe de recherche ; rien n'est gardé en clair. " * 4
    )
    return [
        ["type", "name", "label::" + FR, "label::" + MG, "label::" + AR,
         "required", "relevant", "constraint", "default", "calculation",
         "choice_filter"],
        ["start", "start", "", "", "", "", "", "", "", "", ""],
        ["select_one region", "region", "Région", "Faritra", "المنطقة",
         True, "", "", "", "", ""],
        ["select_one district", "district", "District", "Distrika", "المقاطعة",
         True, "", "", "", "", "region=${region}"],
        ["integer", "members", "Nombre de membres", "Isan'ny mpianakavy",
         "عدد الأفراد", True, "", ". > 0 and . <= 40", 1.0, "", ""],
        ["begin repeat", "member", "Membre", "Mpianakavy", "فرد",
         "", "", "", "", "", ""],
        ["text", "who", "Nom", "Anarana", "الاسم", True, "", "", "", "", ""],
        ["integer", "age", "Âge", "Taona", "العمر", False, "", ". <= 120",
         "", "", ""],
        ["end repeat", "", "", "", "", "", "", "", "", "", ""],
        ["decimal", "budget", "Budget (Ar)", "Teti-bola (Ar)", "الميزانية",
         "", "${members} > 0", "", 1.0e7, "", ""],
        ["decimal", "share", "Part", "Anjara", "الحصة", "", "", "", 0.25,
         "", ""],
        ["date", "visit", "Date de visite", "Daty", "تاريخ الزيارة", "",
         "", "", datetime.date(2024, 9, 12), "", ""],
        ["calculate", "total", "", "", "", "", "", "",
         "", Formula('CONCATENATE("sum(";"${age})")', "sum(${age})"), ""],
        [],
        ["note", "thanks", long_note, "Misaotra !", "شكرا!", "", "", "", "",
         "", ""],
    ]


def choices():
    rows = [["list_name", "name", "label::" + FR, "label::" + MG,
             "label::" + AR, "region", "code"]]
    for n, fr, mg, ar in REGIONS:
        rows.append(["region", float(n), fr, mg, ar, "", 100 + n])
    for n, _, _, _ in REGIONS:
        for d in range(1, 61):
            name = n * 1000 + d
            rows.append(["district", name, "District %d-%02d (%s)" % (n, d, "é" * (d % 7)),
                         "Distrika %d-%02d" % (n, d), "مقاطعة %d-%02d" % (n, d),
                         n, name * 10])
    return rows


def settings():
    return [["form_id", "version", "default_language", "instance_name"],
            ["menage_2024", 2024091201, FR, 'concat("ménage ", ${region})']]


SHEETS = [("survey", survey()), ("choices", choices()), ("settings", settings())]


def fods_cell(v):
    if v == "" or v is None:
        return "<table:table-cell/>"
    if isinstance(v, Formula):
        # No computed value: LibreOffice computes it and writes it to the
        # .xls as Excel does (a FORMULA record, then a STRING record).
        return '<table:table-cell table:formula="of:=%s"/>' % escape(v.formula, {'"': "&quot;"})
    if isinstance(v, bool):
        t = "true" if v else "false"
        return ('<table:table-cell office:value-type="boolean" office:boolean-value="%s">'
                "<text:p>%s</text:p></table:table-cell>" % (t, t.upper()))
    if isinstance(v, datetime.date):
        return ('<table:table-cell table:style-name="date" office:value-type="date" '
                'office:date-value="%s"><text:p>%s</text:p></table:table-cell>'
                % (v.isoformat(), v.isoformat()))
    if isinstance(v, (int, float)):
        return ('<table:table-cell office:value-type="float" office:value="%r">'
                "<text:p>%r</text:p></table:table-cell>" % (v, v))
    return ('<table:table-cell office:value-type="string"><text:p>%s</text:p>'
            "</table:table-cell>" % escape(v))


def write_fods(path):
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
           'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
           'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
           'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" '
           'office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">',
           "<office:automatic-styles>",
           '<number:date-style style:name="iso"><number:year number:style="long"/>'
           '<number:text>-</number:text><number:month number:style="long"/>'
           '<number:text>-</number:text><number:day number:style="long"/></number:date-style>',
           '<style:style style:name="date" style:family="table-cell" style:data-style-name="iso"/>',
           "</office:automatic-styles>",
           "<office:body><office:spreadsheet>"]
    for name, rows in SHEETS:
        out.append('<table:table table:name="%s">' % name)
        for r in rows:
            out.append("<table:table-row>" + "".join(fods_cell(v) for v in r) + "</table:table-row>")
        out.append("</table:table>")
    out.append("</office:spreadsheet></office:body></office:document>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def write_xlwt(path):
    book = xlwt.Workbook(encoding="utf-8")
    date = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for name, rows in SHEETS:
        ws = book.add_sheet(name)
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                if isinstance(v, Formula):
                    v = v.value  # xlwt writes no computed value for formulas
                if v == "" or v is None:
                    continue
                if isinstance(v, datetime.date):
                    ws.write(i, j, v, date)
                else:
                    ws.write(i, j, v)
    book.save(path)


def cell_text(book, c):
    """pyxform's xls_value_to_unicode, with ISO dates."""
    if c.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if c.value else "FALSE"
    if c.ctype == xlrd.XL_CELL_NUMBER:
        return str(int(c.value)) if int(c.value) == c.value else str(c.value)
    if c.ctype == xlrd.XL_CELL_DATE:
        t = xlrd.xldate_as_tuple(c.value, book.datemode)
        if t[:3] == (0, 0, 0):
            return "%02d:%02d:%02d" % t[3:]
        if t[3:] == (0, 0, 0):
            return "%04d-%02d-%02d" % t[:3]
        return "%04d-%02d-%02dT%02d:%02d:%02d" % t
    if c.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    return str(c.value).strip()


def write_cells(xls, path):
    book = xlrd.open_workbook(xls)
    with open(path, "w", encoding="utf-8") as f:
        for s in book.sheets():
            f.write("== %s\n" % s.name)
            for i in range(s.nrows):
                cells = [cell_text(book, s.cell(i, j)) for j in range(s.ncols)]
                while cells and cells[-1] == "":
                    cells.pop()
                f.write(json.dumps(cells, ensure_ascii=False, separators=(",", ":")) + "\n")


def main():
    write_fods("household.fods")
    subprocess.run(["soffice", "--headless", "--convert-to", "xls:MS Excel 97",
                    "household.fods"], check=True, stdout=sys.stderr)
    write_xlwt("household-xlwt.xls")
    # ../forms/numbers.xlsx is written by numbers_test.go (go test -run
    # TestNumbersAsSpreadsheetsWriteThem -update), Google Sheets' way.
    subprocess.run(["soffice", "--headless", "--convert-to", "xls:MS Excel 97",
                    "--outdir", "../forms", "../forms/numbers.xlsx"], check=True, stdout=sys.stderr)
    for xls in ["household.xls", "household-xlwt.xls", "../forms/numbers.xls"]:
        write_cells(xls, os.path.basename(xls) + ".cells")


if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    main()
