package questionnaires

import (
	"fmt"
	"strings"
)

// Table is one export table of a form: the root table (Name "") or the
// table of one repeat.
type Table struct {
	// Name is "" for the root table, else the repeat's own name, with a
	// "~1", "~2"… suffix in form order when several repeats share a name
	// (as ODK Central names its files).
	Name string
	// RepeatPath lists the answer keys ([Node.Key]) of the repeats from
	// the root down to this table's repeat (empty for the root table):
	// the way to the rows in a record's answers.
	RepeatPath []string
	Columns    []Column
}

// Column is one column of an export table.
type Column struct {
	// Header is the CSV header: the path from the table's level with "-"
	// between names ("home-address-street"), plus "-Latitude"… for the
	// parts of a geopoint.
	Header string
	// Key is the answer's key in the table's answers object ([Node.Key]:
	// the question name, groups flattened, or its group path when groups
	// share the name); "" for the instance ID and instance name columns.
	Key string
	// Type is the question's canonical type, [InstanceIDType] or
	// [InstanceNameType].
	Type string
	// Part is "" or, for a geopoint, one of "Latitude", "Longitude",
	// "Altitude", "Accuracy": the space-separated part of the value.
	Part string
}

// InstanceIDType is the Type of the root table's meta-instanceID column,
// which an exporter fills with "uuid:" and the record id.
const InstanceIDType = "instanceID"

// InstanceNameType is the Type of the root table's meta-instanceName
// column, present when the form has an instance_name, which an exporter
// fills with the record's instance name.
const InstanceNameType = "instanceName"

// GeopointParts are the parts of a geopoint value, in order.
var GeopointParts = []string{"Latitude", "Longitude", "Altitude", "Accuracy"}

// Tables returns the export layout of the form's answers in ODK Central's
// CSV order: the root table first (its question columns in depth-first
// form order, repeat contents excluded, then the columns of the <meta>
// group pyxform adds last: meta-instanceID, and meta-instanceName when
// the form has an instance_name), then each repeat's table in form order,
// nested repeats included.
func (f *Form) Tables() []Table {
	names := repeatNames(f.Root)
	root := Table{}
	var repeats []Table
	collectColumns(f.Root, nil, nil, &root, &repeats, names)
	root.Columns = append(root.Columns, Column{Header: "meta-instanceID", Type: InstanceIDType})
	if strings.TrimSpace(f.InstanceName) != "" {
		// pyxform writes <meta><instanceID/><instanceName/></meta>, and
		// Central's columns follow the instance.
		root.Columns = append(root.Columns, Column{Header: "meta-instanceName", Type: InstanceNameType})
	}
	return append([]Table{root}, repeats...)
}

// repeatNames gives each repeat its table name, suffixing shared names.
func repeatNames(root *Node) map[*Node]string {
	count := map[string]int{}
	walk(root, func(n *Node) {
		if n.Kind == KindRepeat {
			count[n.Name]++
		}
	})
	seen := map[string]int{}
	out := map[*Node]string{}
	walk(root, func(n *Node) {
		if n.Kind != KindRepeat {
			return
		}
		out[n] = n.Name
		if count[n.Name] > 1 {
			seen[n.Name]++
			out[n] = fmt.Sprintf("%s~%d", n.Name, seen[n.Name])
		}
	})
	return out
}

// collectColumns adds the columns under n to t; prefix holds the group
// names between t's level and n. Repeats get tables of their own, added
// to repeats in form order (a repeat before the repeats nested in it).
func collectColumns(n *Node, prefix, repeatPath []string, t *Table, repeats *[]Table, names map[*Node]string) {
	for _, c := range n.Children {
		switch c.Kind {
		case KindGroup:
			collectColumns(c, append(prefix[:len(prefix):len(prefix)], c.Name), repeatPath, t, repeats, names)
		case KindRepeat:
			path := append(repeatPath[:len(repeatPath):len(repeatPath)], c.Key())
			*repeats = append(*repeats, Table{Name: names[c], RepeatPath: path})
			idx := len(*repeats) - 1
			var rt Table
			var nested []Table
			collectColumns(c, nil, path, &rt, &nested, names)
			(*repeats)[idx].Columns = rt.Columns
			*repeats = append(*repeats, nested...)
		default:
			header := strings.Join(append(prefix[:len(prefix):len(prefix)], c.Name), "-")
			if c.Type == "geopoint" {
				for _, part := range GeopointParts {
					t.Columns = append(t.Columns, Column{Header: header + "-" + part, Key: c.Key(), Type: c.Type, Part: part})
				}
				continue
			}
			t.Columns = append(t.Columns, Column{Header: header, Key: c.Key(), Type: c.Type})
		}
	}
}
