package questionnaires

import (
	"strings"
)

// typeInfo describes one canonical question type.
type typeInfo struct {
	kind NodeKind
	// served is false for types Enquête reads but cannot interview;
	// check reports them as errors naming the type and the reason.
	served bool
	// phoneOnly names why a type cannot work on a computer (a message
	// key); check reports it as an error.
	phoneOnly string
	// noValue is set for metadata a computer does not have (the SIM's
	// phone number…): served, always empty, and check warns.
	noValue bool
	// list is true for types followed by a choice list name.
	list bool
	// multi is true for types whose value is a list of choice names.
	multi bool
	// binary is true for types whose value is a file (an attachment).
	binary bool
	// value is the XForms data type, for typed comparisons.
	value string
	// input is how an interface takes the answer ([Prompt.Input]).
	input InputKind
}

// types holds every canonical type, served or not, so that check names
// a type it refuses rather than calling it unknown.
var types = map[string]typeInfo{
	"text":                      {kind: KindQuestion, served: true, value: "string", input: InputText},
	"integer":                   {kind: KindQuestion, served: true, value: "int", input: InputInteger},
	"decimal":                   {kind: KindQuestion, served: true, value: "decimal", input: InputDecimal},
	"range":                     {kind: KindQuestion, served: true, value: "decimal", input: InputRange},
	"select_one":                {kind: KindQuestion, served: true, list: true, value: "select1", input: InputSelectOne},
	"select_multiple":           {kind: KindQuestion, served: true, list: true, multi: true, value: "select", input: InputSelectMultiple},
	"rank":                      {kind: KindQuestion, served: true, list: true, multi: true, value: "odk:rank", input: InputRank},
	"select_one_from_file":      {kind: KindQuestion, served: true, list: true, value: "select1", input: InputSelectOne},
	"select_multiple_from_file": {kind: KindQuestion, served: true, list: true, multi: true, value: "select", input: InputSelectMultiple},
	"select_one_external":       {kind: KindQuestion, served: true, list: true, value: "string", input: InputSelectOne},
	"date":                      {kind: KindQuestion, served: true, value: "date", input: InputDate},
	"time":                      {kind: KindQuestion, served: true, value: "time", input: InputTime},
	"dateTime":                  {kind: KindQuestion, served: true, value: "dateTime", input: InputDateTime},
	"geopoint":                  {kind: KindQuestion, served: true, value: "geopoint", input: InputGeo},
	"geotrace":                  {kind: KindQuestion, served: true, value: "geotrace", input: InputGeo},
	"geoshape":                  {kind: KindQuestion, served: true, value: "geoshape", input: InputGeo},
	"image":                     {kind: KindQuestion, served: true, binary: true, value: "binary", input: InputFile},
	"audio":                     {kind: KindQuestion, served: true, binary: true, value: "binary", input: InputFile},
	"video":                     {kind: KindQuestion, served: true, binary: true, value: "binary", input: InputFile},
	"file":                      {kind: KindQuestion, served: true, binary: true, value: "binary", input: InputFile},
	"barcode":                   {kind: KindQuestion, served: true, value: "barcode", input: InputBarcode},
	"acknowledge":               {kind: KindQuestion, served: true, value: "string", input: InputAcknowledge},
	"note":                      {kind: KindNote, served: true, value: "string"},
	"calculate":                 {kind: KindCalculate, served: true, value: "string"},
	"hidden":                    {kind: KindCalculate, served: true, value: "string"},
	"start":                     {kind: KindMeta, served: true, value: "dateTime"},
	"end":                       {kind: KindMeta, served: true, value: "dateTime"},
	"today":                     {kind: KindMeta, served: true, value: "date"},
	"deviceid":                  {kind: KindMeta, served: true, value: "string"},
	"username":                  {kind: KindMeta, served: true, value: "string"},
	"audit":                     {kind: KindMeta, served: true, value: "binary"},
	"phonenumber":               {kind: KindMeta, served: true, noValue: true, value: "string"},
	"simserial":                 {kind: KindMeta, served: true, noValue: true, value: "string"},
	"subscriberid":              {kind: KindMeta, served: true, noValue: true, value: "string"},
	"email":                     {kind: KindMeta, served: true, noValue: true, value: "string"},
	"begin group":               {kind: KindGroup, served: true},
	"begin repeat":              {kind: KindRepeat, served: true, input: InputRepeat},

	"background-audio": {kind: KindMeta, phoneOnly: "phone_only_background_audio", value: "binary"},
	"start-geopoint":   {kind: KindMeta, phoneOnly: "phone_only_start_geopoint", value: "geopoint"},
	"osm":              {kind: KindQuestion, list: true, phoneOnly: "phone_only_osm", value: "binary"},
	"xml-external":     {kind: KindMeta, phoneOnly: "phone_only_xml_external", value: "string"},
	"csv-external":     {kind: KindMeta, phoneOnly: "phone_only_xml_external", value: "string"},
	"begin loop":       {kind: KindGroup, phoneOnly: "legacy_loop"},
}

// typeAliases maps other spellings (lower case, single spaces) to the
// canonical types above.
var typeAliases = map[string]string{
	"string":                     "text",
	"int":                        "integer",
	"phone number":               "text",
	"phonenumber":                "phonenumber",
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
	"imei":                       "deviceid", // pyxform's legacy name
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
	"select one external":        "select_one_external",
	"select_one_from_file":       "select_one_from_file",
	"select one from file":       "select_one_from_file",
	"select multiple from file":  "select_multiple_from_file",
	"start-geopoint":             "start-geopoint",
	"date time":                  "dateTime",
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
