package fieldwork

import (
	"encoding/json"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/questionnaires"
)

// splitAudit gives the response the audit events an analyst may read and
// the sensitive record (when there is one) the visits of sealed
// questions: how long a sensitive question took tells about its answer.
// Without custodians (split false) nothing is sealed apart: the response
// keeps the whole log.
func splitAudit(s *questionnaires.Session, rec, secret *crypto.Record, split bool) error {
	open, sealed := s.SplitAudit()
	if !split {
		open = s.Audit()
	}
	var err error
	if rec.Audit, err = json.Marshal(open); err != nil {
		return err
	}
	if secret != nil && len(sealed) > 0 {
		secret.Audit, err = json.Marshal(sealed)
	}
	return err
}
