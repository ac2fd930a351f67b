// Package questionnaires reads XLSForm questionnaires and runs interviews on
// them.
//
// A questionnaire arrives as an Excel workbook (.xlsx, or Excel 97-2003's
// .xls), pyxform's one-file CSV layout (.csv) or pyxform's markdown tables
// (.md). [Parse] and [Load] read any of them into one model, a [Form]: a tree of [Node] values
// (groups, repeats and questions) with their choice lists, translations and
// settings. [Check] reports every problem of a questionnaire in one run, as
// lines "FILE:SHEET:ROW: message" a form author can act on.
//
// A [Session] is one interview on a Form: it shows one question at a time
// ([Session.Current]), takes answers, applies relevance, required answers,
// constraints, calculations, choice filters, defaults and repeats, and
// produces the record's answers ([Session.Answers]). The terminal interface,
// `form preview`, `interview --answers` ([Fill]) and `form expr`
// ([Session.Eval]) all drive this one type; it knows nothing of terminals.
//
// Files a form reads beside itself (choice lists of select_*_from_file,
// itemsets.csv, pulldata() CSVs) come through [ParseFiles] and [Load]
// and are kept in [Form.Files]. Answers to image, audio, video and file
// questions are paths on disk: the record holds the file names, and
// [Session.Attachments] maps them to the paths, for sealing with the
// record; an audit field's log is [Session.AuditCSV], with ODK Collect's
// form events ([Session.State] saves, [Session.Exit], [Session.Restore]
// resumes) and, with track-changes=true, old and new answers. The form's
// expressions are compiled once, references bound to indexes, so that an
// answer recomputes what it touches in tens of microseconds.
//
// Expressions (relevant, constraint, calculation…) are parsed and evaluated
// by the sibling package questionnaires/xpath; this package resolves their
// ${name} references and paths against the interview's answers.
//
// [Form.Tables] gives the export layout of a form's answers, column by
// column, in the order ODK Central writes its CSV files.
package questionnaires
