package questionnaires

import (
	"math"
	"strconv"
	"strings"

	"github.com/enquete-field/enquete/questionnaires/xpath"
)

// The instance nodes and choice lists as the expression evaluator sees
// them (xpath.Node).

// Name is the element name; the root is "data", as pyxform names it.
func (n *inode) Name() string {
	if n.parent == nil {
		return "data"
	}
	return n.def.Name
}

// Parent is the enclosing element, nil (an untyped nil) at the root.
func (n *inode) Parent() xpath.Node {
	if n.parent == nil {
		return nil
	}
	return n.parent
}

// Children lists the child elements, repeat instances included.
func (n *inode) Children() []xpath.Node {
	out := make([]xpath.Node, len(n.kids))
	for i, k := range n.kids {
		out[i] = k
	}
	return out
}

// Value is the field's value; "" when not relevant, and for containers.
func (n *inode) Value() string {
	if !n.relevant || n.isContainer() {
		return ""
	}
	return n.value
}

// Number is the value read as a plain number (xpath.NumberNode), parsed
// once per distinct value.
func (n *inode) Number() (float64, bool) {
	v := n.Value()
	if v != n.numText {
		n.num, n.numOK = xpath.ParseNumber(v)
		n.numText = v
	}
	return n.num, n.numOK
}

// setNumber stores a calculation's numeric result, keeping the number
// so that readers do not parse it back; it reports whether the value
// changed.
func (n *inode) setNumber(f float64) bool {
	if n.numOK && n.numText == n.value && (n.num == f || math.IsNaN(f) && math.IsNaN(n.num)) && n.value != "" {
		return false
	}
	v := xpath.FormatNumber(f)
	n.numText, n.num, n.numOK = v, f, v != "NaN" && v != "Infinity" && v != "-Infinity"
	if v == n.value {
		return false
	}
	n.value = v
	return true
}

// Type tells the evaluator how the value reads.
func (n *inode) Type() xpath.NodeType {
	if n.parent == nil {
		return xpath.TypeString
	}
	return n.def.xtype
}

// nodeType is how the evaluator reads the values of definition d.
func nodeType(d *Node) xpath.NodeType {
	switch d.Type {
	case "integer", "decimal":
		return xpath.TypeNumber
	case "date", "today":
		return xpath.TypeDate
	case "dateTime", "start", "end":
		return xpath.TypeDateTime
	}
	return xpath.TypeString
}

// cnode is a node of a choice list's secondary instance:
// root → item → name, label and the list's other columns.
type cnode struct {
	name   string
	value  string
	parent *cnode
	kids   []*cnode
	choice *Choice // for items
}

func (c *cnode) Name() string  { return c.name }
func (c *cnode) Value() string { return c.value }

func (c *cnode) Type() xpath.NodeType { return xpath.TypeString }

func (c *cnode) Parent() xpath.Node {
	if c.parent == nil {
		return nil
	}
	return c.parent
}

func (c *cnode) Children() []xpath.Node {
	out := make([]xpath.Node, len(c.kids))
	for i, k := range c.kids {
		out[i] = k
	}
	return out
}

// choiceInstance builds the secondary instance of a choice list, labels
// in lang.
func choiceInstance(id string, list []*Choice, lang, def string) *cnode {
	root := &cnode{name: "root"}
	for i, ch := range list {
		item := &cnode{name: "item", parent: root, choice: ch}
		add := func(name, value string) {
			item.kids = append(item.kids, &cnode{name: name, value: value, parent: item})
		}
		add("name", ch.Name)
		add("label", ch.Label.In(lang, def))
		add("itextId", itextID(id, i))
		for col, v := range ch.Columns {
			switch {
			case col == "name" || col == "list_name" || col == "label":
			case strings.Contains(col, ":"):
				add(choiceColumnAlias(col), v)
			case namePattern.MatchString(col):
				add(col, v)
			}
		}
		root.kids = append(root.kids, item)
	}
	return root
}

// itextID is the translation id of the i-th choice of a list, as pyxform
// names them in secondary instances; jr:itext() reads it back.
func itextID(list string, i int) string { return "static_instance-" + list + "-" + strconv.Itoa(i) }

// parseItextID splits an id made by itextID.
func parseItextID(id string) (list string, i int, ok bool) {
	rest, found := strings.CutPrefix(id, "static_instance-")
	j := strings.LastIndex(rest, "-")
	if !found || j < 0 {
		return "", 0, false
	}
	i, err := strconv.Atoi(rest[j+1:])
	return rest[:j], i, err == nil
}
