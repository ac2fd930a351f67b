package odk

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"path"
	"regexp"
	"strings"

	"github.com/enquete-field/enquete/locales"
)

// An XForm (the XML that ODK Central and Briefcase keep) is turned into
// the XLSForm it could have come from, in pyxform's one-file CSV layout,
// so that the archive's questionnaire record is one Enquête reads like any
// other. What is kept is what an export needs: the primary instance's
// tree (groups, repeats, leaves in instance order), each leaf's type
// (from its body control and its bind's type: input → text, integer,
// decimal, date, time, dateTime, geopoint, geotrace, geoshape, barcode;
// select1/select → select_one/select_multiple, with their choices, inline
// items or an itemset over a secondary instance; upload → image, audio,
// video or file by mediatype; trigger → acknowledge; range → range;
// odk:rank → rank; a leaf without control → hidden, or start, end,
// today, deviceid, username by its jr:preload), the labels in every
// language of the form's itext (label::LANGUAGE columns, the default
// translation as default_language), else its inline labels. Logic (relevant, constraints, calculations, defaults) is left
// out: the answers are already in the submissions. The meta group is left
// out too (instanceID becomes the record id, instanceName its name,
// deviceID its origin).

// xnode is any XML element.
type xnode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []xnode    `xml:",any"`
	Text    string     `xml:",chardata"`
}

func (n *xnode) attr(local string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func (n *xnode) child(local string) *xnode {
	for i := range n.Nodes {
		if n.Nodes[i].XMLName.Local == local {
			return &n.Nodes[i]
		}
	}
	return nil
}

// XFormInfo is what ConvertXForm learns of a form.
type XFormInfo struct {
	ID, Version string
	CSV         []byte // the XLSForm, pyxform's one-file CSV layout
	// Plain is CSV without the instance_name setting (meta/instanceName's
	// calculation), for when Enquête cannot read that expression.
	Plain []byte
}

// control is a body control of one instance path.
type control struct {
	tag, mediatype, appearance, label string
	items                             [][2]string // value, label
	repeat                            bool
}

// xformReader holds what the conversion reads.
type xformReader struct {
	itext    map[string]map[string]string // language → text id → label
	langs    []string                     // the itext languages, in order
	defLang  string                       // the default translation's
	binds    map[string]*xnode            // nodeset → bind
	controls map[string]*control
	inst     map[string]*xnode // secondary instances by id
	survey   [][3]string       // type, name, label
	choices  [][3]string       // list name, value, label
}

// ConvertXForm reads an XForm and writes the XLSForm it stands for.
func ConvertXForm(filename string, data []byte) (*XFormInfo, error) {
	var html xnode
	if err := xml.Unmarshal(data, &html); err != nil {
		return nil, locales.Errorf("archive.odk.bad_form", filename, err.Error())
	}
	head, body := html.child("head"), html.child("body")
	var model *xnode
	if head != nil {
		model = head.child("model")
	}
	if model == nil || body == nil {
		return nil, locales.Errorf("archive.odk.bad_form", filename, "no h:head/model or h:body")
	}
	x := &xformReader{itext: map[string]map[string]string{}, binds: map[string]*xnode{}, controls: map[string]*control{}, inst: map[string]*xnode{}}
	var root *xnode
	for i := range model.Nodes {
		n := &model.Nodes[i]
		switch n.XMLName.Local {
		case "instance":
			if id := n.attr("id"); id != "" {
				x.inst[id] = n
			} else if root == nil && len(n.Nodes) > 0 {
				root = &n.Nodes[0]
			}
		case "bind":
			x.binds[n.attr("nodeset")] = n
		case "itext":
			x.readItext(n)
		}
	}
	if root == nil || root.attr("id") == "" {
		return nil, locales.Errorf("archive.odk.bad_form", filename, "no primary instance with an id")
	}
	x.readBody(body, "/"+root.XMLName.Local)
	x.walk(root, "/"+root.XMLName.Local)
	info := &XFormInfo{ID: root.attr("id"), Version: root.attr("version")}
	name := ""
	if bind := x.binds["/"+root.XMLName.Local+"/meta/instanceName"]; bind != nil {
		name = bind.attr("calculate")
	}
	info.CSV, info.Plain = x.csv(info, name), x.csv(info, "")
	return info, nil
}

// csv writes the XLSForm, with instance_name when name is not "".
func (x *xformReader) csv(info *XFormInfo, name string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.WriteAll(x.sheet("survey", []string{"type", "name"}, x.survey))
	if len(x.choices) > 0 {
		w.WriteAll(x.sheet("choices", []string{"list_name", "name"}, x.choices))
	}
	w.WriteAll([][]string{{"settings"}, {"", "form_id", "version", "instance_name", "default_language"},
		{"", info.ID, info.Version, name, x.defLang}})
	w.Flush()
	return b.Bytes()
}

// sheet writes rows of two cells and a label: one label column, or one
// per itext language.
func (x *xformReader) sheet(title string, head []string, rows [][3]string) [][]string {
	langs := x.langs
	header := append([]string{""}, head...)
	if len(langs) == 0 {
		langs = []string{""}
		header = append(header, "label")
	}
	for _, l := range x.langs {
		header = append(header, "label::"+l)
	}
	out := [][]string{{title}, header}
	for _, r := range rows {
		line := []string{"", r[0], r[1]}
		for _, l := range langs {
			line = append(line, x.text(r[2], l))
		}
		out = append(out, line)
	}
	return out
}

// itextPrefix marks a label that is an itext id, resolved per language.
const itextPrefix = "\x00itext:"

// text resolves a label in language lang.
func (x *xformReader) text(label, lang string) string {
	id, ok := strings.CutPrefix(label, itextPrefix)
	if !ok {
		return label
	}
	if t := x.itext[lang][id]; t != "" {
		return t
	}
	return x.itext[x.defLang][id]
}

// readItext reads every translation; the default one (else the first)
// is the default language.
func (x *xformReader) readItext(itext *xnode) {
	for i := range itext.Nodes {
		t := &itext.Nodes[i]
		lang := t.attr("lang")
		if x.itext[lang] != nil {
			continue
		}
		x.itext[lang] = map[string]string{}
		x.langs = append(x.langs, lang)
		if x.defLang == "" || t.attr("default") != "" {
			x.defLang = lang
		}
		for _, text := range t.Nodes {
			for _, v := range text.Nodes {
				if f := v.attr("form"); f == "" || f == "long" {
					x.itext[lang][text.attr("id")] = strings.TrimSpace(v.Text)
					break
				}
			}
		}
	}
}

var itextRef = regexp.MustCompile(`jr:itext\(\s*'([^']*)'\s*\)`)

// labelOf is an element's label: its itext reference, or inline text.
func (x *xformReader) labelOf(n *xnode) string {
	l := n.child("label")
	if l == nil {
		return ""
	}
	if m := itextRef.FindStringSubmatch(l.attr("ref")); m != nil {
		return itextPrefix + m[1]
	}
	return strings.TrimSpace(l.Text)
}

// resolve makes ref absolute against the context path.
func resolve(ref, ctx string) string {
	if ref == "" || strings.HasPrefix(ref, "/") {
		return ref
	}
	return path.Clean(ctx + "/" + ref)
}

// readBody records every control, group and repeat by instance path.
func (x *xformReader) readBody(n *xnode, ctx string) {
	for i := range n.Nodes {
		c := &n.Nodes[i]
		tag := c.XMLName.Local
		switch tag {
		case "group":
			sub := ctx
			if ref := resolve(c.attr("ref"), ctx); ref != "" {
				sub = ref
				x.controls[ref] = &control{tag: tag, label: x.labelOf(c)}
			}
			x.readBody(c, sub)
		case "repeat":
			ref := resolve(c.attr("nodeset"), ctx)
			ctl := x.controls[ref]
			if ctl == nil {
				ctl = &control{tag: "group", label: x.labelOf(c)}
				x.controls[ref] = ctl
			}
			ctl.repeat = true
			x.readBody(c, ref)
		case "input", "select1", "select", "upload", "trigger", "range", "rank":
			ref := resolve(c.attr("ref"), ctx)
			x.controls[ref] = &control{tag: tag, mediatype: c.attr("mediatype"), appearance: c.attr("appearance"),
				label: x.labelOf(c), items: x.items(c)}
		}
	}
}

// items lists a select's choices: inline items, or an itemset over a
// secondary instance.
func (x *xformReader) items(sel *xnode) [][2]string {
	var out [][2]string
	for _, it := range sel.Nodes {
		switch it.XMLName.Local {
		case "item":
			if v := it.child("value"); v != nil {
				out = append(out, [2]string{strings.TrimSpace(v.Text), x.labelOf(&it)})
			}
		case "itemset":
			out = append(out, x.itemset(&it)...)
		}
	}
	return out
}

var (
	instanceRef = regexp.MustCompile(`instance\(\s*'([^']*)'\s*\)`)
	itemItext   = regexp.MustCompile(`jr:itext\(\s*(\w+)\s*\)`)
)

// itemset reads the choices of instance('id')/root/item.
func (x *xformReader) itemset(set *xnode) [][2]string {
	m := instanceRef.FindStringSubmatch(set.attr("nodeset"))
	if m == nil || x.inst[m[1]] == nil || len(x.inst[m[1]].Nodes) == 0 {
		return nil
	}
	valueRef, labelRef := "name", "label"
	if v := set.child("value"); v != nil {
		valueRef = v.attr("ref")
	}
	if l := set.child("label"); l != nil {
		labelRef = l.attr("ref")
	}
	var out [][2]string
	for _, item := range x.inst[m[1]].Nodes[0].Nodes {
		get := func(name string) string {
			if c := item.child(name); c != nil {
				return strings.TrimSpace(c.Text)
			}
			return ""
		}
		label := get(labelRef)
		if im := itemItext.FindStringSubmatch(labelRef); im != nil {
			label = itextPrefix + get(im[1])
		}
		out = append(out, [2]string{get(valueRef), label})
	}
	return out
}

// walk writes the survey rows of the instance element n at path p.
func (x *xformReader) walk(n *xnode, p string) {
	seen := map[string]bool{}
	for i := range n.Nodes {
		c := &n.Nodes[i]
		name := c.XMLName.Local
		if seen[name] || p == "/"+n.XMLName.Local && name == "meta" && x.controls[p+"/meta"] == nil {
			continue
		}
		seen[name] = true
		cp := p + "/" + name
		ctl := x.controls[cp]
		switch {
		case ctl != nil && ctl.repeat:
			x.row("begin repeat", name, ctl.label)
			x.walk(c, cp)
			x.row("end repeat", "", "")
		case len(c.Nodes) > 0:
			label := ""
			if ctl != nil {
				label = ctl.label
			}
			x.row("begin group", name, label)
			x.walk(c, cp)
			x.row("end group", "", "")
		default:
			x.leaf(name, cp, ctl)
		}
	}
}

func (x *xformReader) row(typ, name, label string) {
	x.survey = append(x.survey, [3]string{typ, name, label})
}

// leaf writes one question row (and its choices).
func (x *xformReader) leaf(name, p string, ctl *control) {
	bind := x.binds[p]
	bindType := ""
	if bind != nil {
		bindType = bind.attr("type")
		if i := strings.LastIndex(bindType, ":"); i >= 0 {
			bindType = bindType[i+1:]
		}
	}
	if ctl == nil {
		x.row(hiddenType(bind), name, "")
		return
	}
	label := ctl.label
	if label == "" {
		label = name
	}
	typ := controlType(ctl, bindType)
	if typ == "select_one" || typ == "select_multiple" || typ == "rank" {
		typ += " " + name
		for _, it := range ctl.items {
			l := it[1]
			if l == "" {
				l = it[0]
			}
			x.choices = append(x.choices, [3]string{name, it[0], l})
		}
	}
	x.row(typ, name, label)
}

// hiddenType is the type of a leaf without a control.
func hiddenType(bind *xnode) string {
	if bind == nil {
		return "hidden"
	}
	preload, params := bind.attr("preload"), bind.attr("preloadParams")
	switch {
	case preload == "timestamp" && (params == "start" || params == "end"):
		return params
	case preload == "date" && params == "today":
		return "today"
	case preload == "property" && (params == "deviceid" || params == "username"):
		return params
	}
	return "hidden"
}

// controlType is the XLSForm type of a body control over a bind type.
func controlType(ctl *control, bindType string) string {
	switch ctl.tag {
	case "select1":
		return "select_one"
	case "select":
		return "select_multiple"
	case "rank":
		return "rank"
	case "trigger":
		return "acknowledge"
	case "range":
		return "range"
	case "upload":
		for _, kind := range []string{"image", "audio", "video"} {
			if strings.HasPrefix(ctl.mediatype, kind+"/") {
				return kind
			}
		}
		return "file"
	}
	switch bindType {
	case "int":
		return "integer"
	case "decimal", "date", "time", "dateTime", "geopoint", "geotrace", "geoshape", "barcode":
		return bindType
	}
	return "text"
}
