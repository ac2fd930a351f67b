package questionnaires

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/enquete-field/enquete/locales"
)

// Files a form reads beside itself: the choice lists of
// select_one_from_file and select_multiple_from_file (.csv, .xml,
// .geojson), itemsets.csv for select_one_external lists not in an
// external_choices sheet, and the CSV files of pulldata(). They are read
// once, when the form is checked, and kept in [Form.Files] so that the
// form travels (and is sealed) with them.

// itemsetsFile is where ODK puts the lists of select_one_external.
const itemsetsFile = "itemsets.csv"

// attachedFile returns a file beside the form, reading it on first use.
// problem is "" when it was read, else the problem key (with the file
// name as its argument): "missing_file" when the form has no such file,
// "files_too_large" when it would take the form's files past
// [maxFilesBytes].
func (b *builder) attachedFile(name string) (data []byte, problem string) {
	if data, ok := b.form.Files[name]; ok {
		return data, ""
	}
	if b.files == nil || !fs.ValidPath(name) || strings.Contains(name, "/") {
		return nil, "missing_file"
	}
	f, err := b.files.Open(name)
	if err != nil {
		return nil, "missing_file"
	}
	defer f.Close()
	left := maxFilesBytes - b.filesBytes
	data, err = io.ReadAll(io.LimitReader(f, left+1))
	switch {
	case err != nil:
		return nil, "missing_file"
	case int64(len(data)) > left:
		return nil, "files_too_large"
	}
	b.filesBytes += int64(len(data))
	if b.form.Files == nil {
		b.form.Files = map[string][]byte{}
	}
	b.form.Files[name] = data
	return data, ""
}

// loadFileList reads the choice list of a select_*_from_file question:
// list is the file name. Problems are reported on the question's row,
// or on the file's row when one row is at fault.
func (b *builder) loadFileList(n *Node) {
	params := parseParameters(n.Parameters)
	if !b.checkListColumns(n, params) {
		return
	}
	file := n.ListName
	valueCol, labelCol := fileListColumns(file, params)
	key := fileListKey(file, valueCol, labelCol)
	if _, done := b.form.Choices[key]; done {
		n.ListName = key
		return
	}
	data, problem := b.attachedFile(file)
	if problem != "" {
		b.ps.errorf(b.survey.name, n.Row, "type", problem, file)
		return
	}
	var choices []*Choice
	var err error
	switch strings.ToLower(path.Ext(file)) {
	case ".csv":
		var headers []string
		var rows []fileRow
		headers, rows, err = csvFileRows(file, data)
		if err == nil && !hasColumn(headers, valueCol) {
			err = locales.Errorf("questionnaires.list_file_no_column", file, valueCol)
		}
		choices = b.csvFileChoices(headers, rows, "", valueCol, labelCol)
	case ".xml":
		choices, err = xmlChoices(data, valueCol, labelCol)
	case ".geojson":
		choices, err = geojsonChoices(data, valueCol, labelCol)
	default:
		b.ps.errorf(b.survey.name, n.Row, "type", "bad_list_file", file)
		return
	}
	if err != nil {
		b.listFileError(n, file, err)
		return
	}
	b.addFileList(key, b.checkFileChoices(n, file, valueCol, choices))
	n.ListName = key
}

// fileListKey names the list a question reads from file: the file name,
// with the columns after it when value= or label= name others, so that
// two questions reading one file by different columns keep their lists.
func fileListKey(file, valueCol, labelCol string) string {
	if v, l := fileListColumns(file, nil); v == valueCol && l == labelCol {
		return file
	}
	return file + " value=" + valueCol + " label=" + labelCol
}

// addFileList keeps a list read from a file under key.
func (b *builder) addFileList(key string, choices []*Choice) {
	if b.form.fileLists == nil {
		b.form.fileLists = map[string]bool{}
	}
	b.form.fileLists[key] = true
	b.form.Choices[key] = choices
}

// listFileError reports a list file that cannot be used, on the
// question's row: the engine's own message, or the reader's.
func (b *builder) listFileError(n *Node, file string, err error) {
	var le *locales.Error
	if errors.As(err, &le) && strings.HasPrefix(le.Key, "questionnaires.") {
		b.ps.errorf(b.survey.name, n.Row, "type", strings.TrimPrefix(le.Key, "questionnaires."), le.Args...)
		return
	}
	b.ps.errorf(b.survey.name, n.Row, "type", "unreadable_list_file", file, err.Error())
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// csvSheet reads a plain CSV file as one sheet.
func csvSheet(name string, data []byte) (*sheet, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	r.FieldsPerRecord = -1
	sh := &sheet{name: name}
	for i := 1; ; i++ {
		rec, err := r.Read()
		if err == io.EOF {
			return sh, nil
		}
		if err != nil {
			return nil, err
		}
		sh.rows = append(sh.rows, row{num: i, cells: rec})
	}
}

// xmlChoices reads an XML choice file: <root><item><name/><label/>…</item></root>.
func xmlChoices(data []byte, valueCol, labelCol string) ([]*Choice, error) {
	var doc struct {
		Items []struct {
			Fields []struct {
				XMLName xml.Name
				Value   string `xml:",chardata"`
			} `xml:",any"`
		} `xml:"item"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	var out []*Choice
	for i, it := range doc.Items {
		cols := map[string]string{}
		for _, f := range it.Fields {
			cols[f.XMLName.Local] = strings.TrimSpace(f.Value)
		}
		out = append(out, &Choice{Name: cols[valueCol], Label: Text{"": orDefault(cols[labelCol], cols[valueCol])},
			Columns: cols, Row: i + 1})
	}
	return out, nil
}

// geojsonChoices reads a GeoJSON FeatureCollection as JavaRosa does:
// each feature is an item holding its properties, its id (the feature's
// id wins over an id property) and its geometry as JavaRosa writes it;
// the choice is named by valueCol and labelled by labelCol.
func geojsonChoices(data []byte, valueCol, labelCol string) ([]*Choice, error) {
	var doc struct {
		Type     string `json:"type"`
		Features []struct {
			Type       string         `json:"type"`
			ID         any            `json:"id"`
			Properties map[string]any `json:"properties"`
			Geometry   *struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Type != "FeatureCollection" {
		return nil, locales.Errorf("questionnaires.geojson_not_collection")
	}
	var out []*Choice
	for i, f := range doc.Features {
		if f.Type != "Feature" {
			return nil, locales.Errorf("questionnaires.geojson_not_feature", i+1, f.Type)
		}
		cols := map[string]string{}
		for k, v := range f.Properties {
			cols[k] = jsonText(v)
		}
		if f.ID != nil {
			cols["id"] = jsonText(f.ID)
		}
		if g := f.Geometry; g != nil {
			geo, err := odkGeometry(g.Type, g.Coordinates)
			if err != nil {
				return nil, fmt.Errorf("feature %d: %w", i+1, err)
			}
			cols["geometry"] = geo
		}
		out = append(out, &Choice{Name: cols[valueCol], Label: Text{"": orDefault(cols[labelCol], cols[valueCol])},
			Columns: cols, Row: i + 1})
	}
	return out, nil
}

// odkGeometry writes a GeoJSON geometry as JavaRosa does for forms: a
// Point as a geopoint "lat lon 0 0", a LineString as a geotrace and a
// Polygon's outer ring as a geoshape, their points "lat lon 0 0" joined
// by "; " (altitudes are dropped, as JavaRosa drops them). Other types
// are refused, as in JavaRosa.
func odkGeometry(typ string, coords json.RawMessage) (string, error) {
	var points [][]float64
	var err error
	switch typ {
	case "Point":
		var pt []float64
		err = json.Unmarshal(coords, &pt)
		points = [][]float64{pt}
	case "LineString":
		err = json.Unmarshal(coords, &points)
	case "Polygon":
		var rings [][][]float64
		if err = json.Unmarshal(coords, &rings); err == nil && len(rings) > 0 {
			points = rings[0]
		}
	default:
		return "", fmt.Errorf("geometry %q: only Point, LineString and Polygon can be used", typ)
	}
	if err != nil {
		return "", fmt.Errorf("geometry %q: %w", typ, err)
	}
	parts := make([]string, 0, len(points))
	for _, p := range points {
		if len(p) < 2 {
			return "", fmt.Errorf("geometry %q: a position needs a longitude and a latitude", typ)
		}
		parts = append(parts, strconv.FormatFloat(p[1], 'f', -1, 64)+" "+strconv.FormatFloat(p[0], 'f', -1, 64)+" 0 0")
	}
	return strings.Join(parts, "; "), nil
}

func jsonText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// loadExternalList finds the list of a select_one_external question: in
// the workbook's external_choices sheet, else in itemsets.csv beside the
// form.
func (b *builder) loadExternalList(n *Node) {
	if _, ok := b.form.Choices[n.ListName]; ok {
		return
	}
	if b.external != nil {
		t := b.external
		for _, r := range t.rows {
			if r.cells["list_name"] != n.ListName {
				continue
			}
			c := &Choice{Name: r.cells["name"], Label: b.text(t, r, "label"), Columns: r.cells, Row: r.num}
			if c.Label.Empty() {
				// Warned here, on its own sheet: the choices sheet may not exist.
				b.ps.warnf(t.name, r.num, "label", "choice_no_label", c.Name, n.ListName)
				c.Label = Text{"": c.Name}
			}
			b.form.Choices[n.ListName] = append(b.form.Choices[n.ListName], c)
		}
		if _, ok := b.form.Choices[n.ListName]; ok {
			return
		}
	}
	data, problem := b.attachedFile(itemsetsFile)
	switch problem {
	case "":
	case "missing_file":
		b.ps.errorf(b.survey.name, n.Row, "type", "missing_external", n.ListName, itemsetsFile)
		return
	default:
		b.ps.errorf(b.survey.name, n.Row, "type", problem, itemsetsFile)
		return
	}
	headers, rows, err := csvFileRows(itemsetsFile, data)
	if err == nil && !hasColumn(headers, "name") {
		err = locales.Errorf("questionnaires.list_file_no_column", itemsetsFile, "name")
	}
	if err != nil {
		b.listFileError(n, itemsetsFile, err)
		return
	}
	choices := b.checkFileChoices(n, itemsetsFile, "name", b.csvFileChoices(headers, rows, n.ListName, "name", "label"))
	if len(choices) == 0 {
		b.ps.errorf(b.survey.name, n.Row, "type", "missing_external", n.ListName, itemsetsFile)
		return
	}
	b.form.Choices[n.ListName] = choices
}

// pulldataPattern finds pulldata('file', …) calls and their file.
var pulldataPattern = regexp.MustCompile(`pulldata\s*\(\s*(?:'([^']*)'|"([^"]*)")`)

// loadPulldata reads the CSV files the pulldata() calls of an expression
// cell name, reporting the missing ones on that cell.
func (b *builder) loadPulldata(sheet string, row int, col, src string) {
	for _, m := range pulldataPattern.FindAllStringSubmatch(src, -1) {
		name := m[1] + m[2]
		if !strings.HasSuffix(strings.ToLower(name), ".csv") {
			name += ".csv"
		}
		if _, ok := b.form.tables[name]; ok {
			continue
		}
		data, problem := b.attachedFile(name)
		if problem != "" {
			b.ps.errorf(sheet, row, col, problem, name)
			continue
		}
		sh, err := csvSheet(name, data)
		if err != nil {
			b.ps.errorf(sheet, row, col, "unreadable_list_file", name, err.Error())
			continue
		}
		if b.form.tables == nil {
			b.form.tables = map[string]*table{}
		}
		b.form.tables[name] = readTableWith(sh, &problems{}, parseFileHeader)
	}
}

// pullData looks a value up in an attached CSV: the column col of the
// first row whose keyCol is key; "" when none matches (as ODK).
func (f *Form) pullData(file, col, keyCol, key string) (string, bool) {
	if !strings.HasSuffix(strings.ToLower(file), ".csv") {
		file += ".csv"
	}
	t, ok := f.tables[file]
	if !ok {
		return "", false
	}
	for _, r := range t.rows {
		if r.cells[keyCol] == key {
			return r.cells[col], true
		}
	}
	return "", true
}

// parseParameters reads a parameters cell: key=value pairs separated by
// spaces, commas or semicolons ("start=1;end=10 step=1").
func parseParameters(cell string) map[string]string {
	out := map[string]string{}
	for _, f := range strings.FieldsFunc(cell, func(r rune) bool { return r == ' ' || r == ',' || r == ';' || r == '\t' }) {
		k, v, _ := strings.Cut(f, "=")
		out[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	return out
}
