package questionnaires

import (
	"strings"
)

// typeInfo describes one canonical question type.
type typeInfo struct {
	kind NodeKind
	// served is false for types Enquête reads but cannot yet interview;
	// check reports them as errors naming the type.
	served bool
	// list is true for types followed by a choice list name.
	list bool
	// value is the XForms data type, for typed comparisons.
	value string
}

// types holds every canonical type. Types from XLSForm that Enquête does
// not serve yet are listed too (served: false), so that check names them
// rather than calling them unknown.
var types = map[string]typeInfo{
	"text":            {kind: KindQuestion, served: true, value: "string"},
	"integer":         {kind: KindQuestion, served: true, value: "int"},
	"decimal":         {kind: KindQuestion, served: true, value: "decimal"},
	"select_one":      {kind: KindQuestion, served: true, list: true, value: "select1"},
	"select_multiple": {kind: KindQuestion, served: true, list: true, value: "select"},
	"date":            {kind: KindQuestion, served: true, value: "date"},
	"time":            {kind: KindQuestion, served: true, value: "time"},
	"dateTime":        {kind: KindQuestion, served: true, value: "dateTime"},
	"geopoint":        {kind: KindQuestion, served: true, value: "geopoint"},
	"acknowledge":     {kind: KindQuestion, served: true, value: "string"},
	"note":            {kind: KindNote, served: true, value: "string"},
	"calculate":       {kind: KindCalculate, served: true, value: "string"},
	"start":           {kind: KindMeta, served: true, value: "dateTime"},
	"end":             {kind: KindMeta, served: true, value: "dateTime"},
	"today":           {kind: KindMeta, served: true, value: "date"},
	"deviceid":        {kind: KindMeta, served: true, value: "string"},
	"username":        {kind: KindMeta, served: true, value: "string"},
	"begin group":     {kind: KindGroup, served: true},
	"begin repeat":    {kind: KindRepeat, served: true},

	"range":                     {kind: KindQuestion, value: "decimal"},
	"rank":                      {kind: KindQuestion, list: true, value: "odk:rank"},
	"select_one_from_file":      {kind: KindQuestion, list: true, value: "select1"},
	"select_multiple_from_file": {kind: KindQuestion, list: true, value: "select"},
	"select_one_external":       {kind: KindQuestion, list: true, value: "string"},
	"geotrace":                  {kind: KindQuestion, value: "geotrace"},
	"geoshape":                  {kind: KindQuestion, value: "geoshape"},
	"image":                     {kind: KindQuestion, value: "binary"},
	"audio":                     {kind: KindQuestion, value: "binary"},
	"video":                     {kind: KindQuestion, value: "binary"},
	"file":                      {kind: KindQuestion, value: "binary"},
	"background-audio":          {kind: KindMeta, value: "binary"},
	"barcode":                   {kind: KindQuestion, value: "barcode"},
	"hidden":                    {kind: KindCalculate, value: "string"},
	"audit":                     {kind: KindMeta, value: "binary"},
	"xml-external":              {kind: KindMeta, value: "string"},
	"csv-external":              {kind: KindMeta, value: "string"},
	"osm":                       {kind: KindQuestion, list: true, value: "binary"},
	"phonenumber":               {kind: KindMeta, value: "string"},
	"simserial":                 {kind: KindMeta, value: "string"},
	"subscriberid":              {kind: KindMeta, value: "string"},
	"email":                     {kind: KindMeta, value: "string"},
	"begin loop":                {kind: KindGroup},
}

// typeAliases maps other spellings (lower case, single spaces) to the
// canonical types above.
var typeAliases = map[string]string{
	"string":                     "text",
	"int":                        "integer",
	"phone number":               "text",
	"datetime":                   "dateTime",
	"select1":                    "select_one",
	"select one":                 "select_one",
	"select_one_from":            "select_one",
	"select one from":            "select_one",
	"select":                     "select_multiple",
	"select multiple":            "select_multiple",
	"select all that apply":      "select_multiple",
	"select all that apply from": "select_multiple",
	"trigger":                    "acknowledge",
	"uri:deviceid":               "deviceid",
	"uri:username":               "username",
	"uri:phonenumber":            "phonenumber",
	"uri:email":                  "email",
	"uri:subscriberid":           "subscriberid",
	"uri:simserial":              "simserial",
	"begin_group":                "begin group",
	"begin_repeat":               "begin repeat",
	"end_group":                  "end group",
	"end_repeat":                 "end repeat",
	"end loop":                   "end loop",
	"end_loop":                   "end loop",
	"begin_loop":                 "begin loop",
	"note":                       "note",
	"photo":                      "image",
	"gps":                        "geopoint",
	"location":                   "geopoint",
	"qr code":                    "barcode",
	"geoline":                    "geotrace",
	"geopolygon":                 "geoshape",
}

// parsedType is a type cell read: canonical type, list name, or_other.
type parsedType struct {
	name     string // canonical, or "" when unknown
	list     string
	orOther  bool
	end      bool // end group / end repeat / end loop
	listless bool // a select type with no list name
}

// parseType reads a type cell ("select_one yes_no or_other",
// "begin group", "select all that apply from sexes or specify other").
func parseType(cell string) parsedType {
	words := strings.Fields(cell)
	if len(words) == 0 {
		return parsedType{}
	}
	low := strings.ToLower(strings.Join(words, " "))
	if strings.HasPrefix(low, "begin loop over ") || low == "begin loop" {
		return parsedType{name: "begin loop"}
	}
	var pt parsedType
	for _, suffix := range []string{" or_other", " or specify other"} {
		if strings.HasSuffix(low, suffix) {
			pt.orOther = true
			low = strings.TrimSuffix(low, suffix)
			words = strings.Fields(cell[:len(strings.TrimRight(cell, " \t"))])
			words = words[:len(strings.Fields(low))]
		}
	}
	if t, ok := canonicalType(low); ok {
		pt.name = t
		pt.end = strings.HasPrefix(t, "end ")
		pt.listless = types[t].list
		return pt
	}
	// "select_one LIST": the last word is the list name.
	if len(words) >= 2 {
		head := strings.ToLower(strings.Join(words[:len(words)-1], " "))
		if t, ok := canonicalType(head); ok && types[t].list {
			pt.name, pt.list = t, words[len(words)-1]
			return pt
		}
	}
	return parsedType{}
}

func canonicalType(low string) (string, bool) {
	if a, ok := typeAliases[low]; ok {
		low = strings.ToLower(a)
	}
	switch low {
	case "end group", "end repeat", "end loop":
		return low, true
	}
	for name := range types {
		if strings.ToLower(name) == low {
			return name, true
		}
	}
	return "", false
}
