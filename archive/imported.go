package archive

import "strings"

// importedPrefix begins the project id of responses imported from ODK
// (package odk): unsigned by any device, their ODK element signature
// checked at import. Their own project keeps them apart from every
// device's chain and from the unsigned-response check of signing
// projects; the export merges them with the Enquête responses of the
// same form id, saying so in one line instead of warning of mixed
// projects.
const importedPrefix = "odk:"

// splitImported splits project ids into Enquête projects and imported ones.
func splitImported(projects []string) (own, imported []string) {
	for _, p := range projects {
		if strings.HasPrefix(p, importedPrefix) {
			imported = append(imported, p)
		} else {
			own = append(own, p)
		}
	}
	return own, imported
}
