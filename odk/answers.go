package odk

import (
	"encoding/xml"
	"strings"

	"github.com/enquete-field/enquete/questionnaires"
)

// Instance is a decrypted submission's XML read against its form.
type Instance struct {
	Answers      map[string]any // as Enquête keys them: groups flattened, repeats as lists
	InstanceName string         // meta/instanceName
	DeviceID     string         // meta/deviceID, or the form's deviceid question
	FormID       string         // the root's id attribute
}

// ReadInstance maps the submission's elements to the form's answers: a
// question's answer is its element's text, kept as ODK wrote it (select
// values space-separated, dates, times and geopoints as ODK's XML has
// them); an empty element is no answer; a group's questions sit at its
// level under their keys (questionnaires.Node.Key); each repeat instance
// is one map of its list.
func ReadInstance(form *questionnaires.Form, data []byte) (*Instance, error) {
	var root xnode
	if err := xml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	inst := &Instance{FormID: root.attr("id"), Answers: map[string]any{}}
	readLevel(form.Root.Children, &root, inst.Answers, inst)
	if meta := root.child("meta"); meta != nil {
		if n := meta.child("instanceName"); n != nil {
			inst.InstanceName = strings.TrimSpace(n.Text)
		}
		if d := meta.child("deviceID"); d != nil && inst.DeviceID == "" {
			inst.DeviceID = strings.TrimSpace(d.Text)
		}
	}
	return inst, nil
}

// readLevel fills answers with the nodes' values under element el.
func readLevel(nodes []*questionnaires.Node, el *xnode, answers map[string]any, inst *Instance) {
	for _, n := range nodes {
		switch n.Kind {
		case questionnaires.KindNote:
			continue
		case questionnaires.KindGroup:
			if c := el.child(n.Name); c != nil {
				readLevel(n.Children, c, answers, inst)
			}
		case questionnaires.KindRepeat:
			var list []map[string]any
			for i := range el.Nodes {
				c := &el.Nodes[i]
				if c.XMLName.Local != n.Name || c.attr("template") != "" {
					continue
				}
				one := map[string]any{}
				readLevel(n.Children, c, one, inst)
				list = append(list, one)
			}
			if len(list) > 0 {
				answers[n.Key()] = list
			}
		default:
			c := el.child(n.Name)
			if c == nil || len(c.Nodes) > 0 {
				continue
			}
			v := strings.TrimSpace(c.Text)
			if v == "" {
				continue
			}
			answers[n.Key()] = v
			if n.Type == "deviceid" && inst.DeviceID == "" {
				inst.DeviceID = v
			}
		}
	}
}
