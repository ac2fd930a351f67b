// Package xpath parses and evaluates the XPath 1.0 dialect of ODK forms:
// XLSForm relevance, constraints, calculations, choice filters and
// defaults.
//
// [Parse] turns an expression into an [Expr]; [Expr.Eval] evaluates it
// against a [Context], which the questionnaire engine implements over its
// tree of instance nodes ([Node]). [EvalString] evaluates expressions that
// need no form. Errors are *[SyntaxError] (parse time) and *[EvalError]
// (evaluation), both with the byte offset of the culprit; the messages are
// English, lower-case and plain, for the questionnaires package to put in
// front of users.
//
// # Supported XPath
//
// Literals, numbers (no exponent notation in expressions), the operators
// or, and, = != < <= > >= + - * div mod and unary minus with XPath's
// precedence (lowest first: or, and, equality, relational, additive,
// multiplicative, unary minus, paths), left-associative. "and" and "or"
// evaluate their right side only when needed. Operator names may touch
// their operands ("1div1"), as ODK's evaluators allow; they are
// case-sensitive ("1 And 1" is an error).
//
// Location paths: absolute (/data/a/b), relative (a/b, ., .., ../x),
// child::, parent:: and self:: axes, name tests, * and node(), predicates
// ([. = 'yes'], [name = current()/../x], [2]), paths that start with
// current(), instance('id') or ${name}. Not supported, and rejected when
// parsing: "//", other axes (descendant::, ancestor::…), "@" attributes,
// text() and other node types, "|" unions of node-sets, $variables.
//
// ${name} is kept as a reference: [Expr.References] lists them, Eval asks
// [Context.Ref] for their nodes, and [Expr.Resolve] rewrites them to paths
// for engines that prefer pyxform's textual substitution. Inside a
// predicate over the form's own nodes, a ${name} is narrowed to the
// repeat instance being tested (count(${hh}[${age} > 5]) counts members
// over 5), as JavaRosa's contextualization does; absolute paths keep plain
// XPath meaning, so engines should prefer Context.Ref to Resolve.
//
// ${last-saved#name} (pyxform's instance('__last-saved')/…/name) is the
// value name had in the last saved interview: a node-set the Context
// gives through the optional [LastSavedReader] (none: empty). It is not a
// dependency (its value is fixed for the interview): [Expr.LastSavedRefs]
// lists these references, not [Expr.References], and Resolve keeps them.
//
// [Expr.Compile] (or [Expr.Bind], which also numbers the ${name}
// references for a [RefIndexer] Context) turns an expression into
// closures for repeated evaluation: numbers and booleans unboxed,
// literals converted once, a node's number read from a [NumberNode]
// cache. Compiled and walked evaluation give the same results; the test
// corpus and FuzzParse check both.
//
// # Values and comparisons (JavaRosa's rules)
//
// Values are strings, numbers, booleans, dates and node-sets. A node-set
// used as one value reads as "" when empty and as its node's typed value
// when it has one node (a [TypeNumber] node is a number, a [TypeDate] or
// [TypeDateTime] node a date, other nodes strings). A node-set of several
// nodes used as one value is an error, as in JavaRosa: forms must use
// indexed-repeat() or a predicate. Functions that take node-sets (count,
// sum, concat, join, max, min…) read every node. The boolean of a
// node-set is the boolean of its value, so relevant="${q}" means "q is
// answered".
//
// = and != compare as booleans if either side is a boolean, else as
// numbers if either is a number (equal when they differ by less than
// 1e-12, as JavaRosa), else as dates if either is a date and the other
// reads as one, else as strings. < <= > >= always compare numbers; NaN
// compares false, so "abc" < "abd" is false.
//
// Conversions: number("") is NaN, and arithmetic on NaN gives NaN. A
// number is true unless 0 or NaN (XPath 1.0; JavaRosa's 1e-12 threshold is
// not used). Strings that are dates convert to day numbers:
// "2021-11-30" - "2021-11-29" is 1, as in ODK Web Forms (JavaRosa gives
// NaN). As in JavaRosa (ODK Collect), a comma is a decimal point
// ("1,5" is 1.5, as French and Spanish spreadsheets write it), and strings
// in exponent notation ("7.9e-12", "1e3"), "Infinity" and "+1" are NaN
// (the web evaluators read exponents). Numbers print through [FormatNumber]: 3, 1.5,
// NaN, Infinity, never exponent notation; -0 prints 0.
//
// # Dates and time zones
//
// A date ("2024-01-02") converts to whole days since 1970-01-01; a
// date-time converts to fractional days since 1970-01-01T00:00 on the wall
// clock of the Context's zone (the Location of [Context.Now]). Date-times
// written with an offset are moved to that zone first. In UTC the results
// are those of ODK Web Forms; elsewhere a date and the date-time of its
// local midnight compare equal, which keeps today() > ${visit_time} sane.
// date(x) keeps the time of a date-time string, drops it from a date-time
// value, and reads a number as a day count (its fraction dropped);
// date-time(x) reads a number as fractional days. Values that are not
// dates give "" (JavaRosa raises an error, the web evaluators return
// "Invalid Date"). today() is the Context's date; now() its instant, to the
// millisecond, printed as 2024-01-02T10:20:30.000+03:00. decimal-time()
// accepts times ("14:30:00.000+02:00") and date-times and gives the
// fraction of the local day; invalid times give NaN. format-date() knows
// %Y %y %m %n %b %d %e %H %h %M %S %3 %a (English names); another escape is
// an error.
//
// # Functions
//
// XPath 1.0: string, concat, substring (1-based), substring-before,
// substring-after, translate, string-length, normalize-space, contains,
// starts-with, boolean, not, true, false, number, sum, floor, ceiling,
// round, count, position, last, local-name, name, namespace-uri.
// ODK: substr (0-based, end excluded), ends-with, join, uuid, digest
// (MD5, SHA-1, SHA-256, SHA-384, SHA-512; base64 or hex), base64-decode,
// if, coalesce, once, boolean-from-string, regex, checklist,
// weighted-checklist, int, max, min, pow, log, log10, abs, sin, cos, tan,
// asin, acos, atan, atan2, sqrt, exp, exp10, pi, random, count-non-empty,
// current, instance, randomize, today, now, date, date-time, format-date,
// format-date-time, decimal-date-time, decimal-time, selected,
// selected-at (0-based), count-selected, jr:choice-name, indexed-repeat,
// area, distance, geofence, pulldata (through [DataSource]), jr:itext
// (through [Translator]). [KnownFunction] tells them apart from unknown
// names, which Parse rejects, as it rejects a wrong number of arguments
// and arguments that can never be node-sets where one is needed
// (count(1)).
//
// Choices that differ between ODK implementations:
//
//   - string-length, substr, substring and translate count Unicode
//     characters, not UTF-16 units (JavaRosa and the web count an emoji
//     as 2).
//   - round(x, d) rounds on the decimal digits of x (round(2.15, 1) is
//     2.2), an exact half toward positive infinity as XPath 1.0 and
//     JavaRosa do (round(-1.5) is -1, round(-0.5) is 0; the web
//     evaluators give -2 and -1).
//   - date() of an impossible date ("2023-02-30") or of a value that is
//     not a date is "", as every unparsable date here; JavaRosa stops the
//     form with an error.
//   - boolean-from-string() is true for exactly "true" and "1".
//   - regex() must match the whole value, as in JavaRosa; the pattern is
//     Go's RE2, and [CheckRegex] rejects the Java features RE2 lacks
//     (backreferences, lookarounds, atomic groups, possessive quantifiers)
//     so a form is refused rather than evaluated differently.
//   - sum(), max() and min() skip values that are not numbers, as
//     JavaRosa (a blank answer in a repeat does not make a total NaN).
//   - position() outside a predicate is the context node's repeat
//     instance number (JavaRosa).
//   - randomize(nodes, seed) shuffles with Fisher–Yates driven by the
//     Park–Miller generator, so a seed always gives the same order.
//   - area() and distance() work on a sphere of radius 6,378,100 m and
//     round to 2 decimals, as the web evaluators; area() of fewer than 3
//     or invalid points is 0 (JavaRosa, Web Forms), distance() of fewer
//     than 2 or invalid points is NaN (Enketo).
//   - A date that cannot be parsed is "" (see above).
//
// The test suite runs the literal-expression cases of ODK Web Forms and
// Enketo (shared/corpus/xpath); testdata/divergences.txt lists every case
// where this package answers differently, and why.
package xpath
