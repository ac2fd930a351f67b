package crypto

import (
	"strings"
	"testing"
)

// TestOrigin: an imported response's provenance needs version 2, reads
// back as written, and a version 1 record holding it is refused.
func TestOrigin(t *testing.T) {
	origin := &Origin{System: "odk", InstanceID: "uuid:11111111-1111-4111-8111-111111111111", DeviceID: "collect:abc", Submitted: "2026-12-01T08:00:00.000Z"}
	tests := []struct {
		name    string
		version int
		origin  *Origin
		wantErr string
	}{
		{"no origin, version 1", RecordVersion, nil, ""},
		{"origin, version 2", RecordVersionAttachments, origin, ""},
		{"origin in version 1", RecordVersion, origin, "origin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Record{Format: RecordFormat, Kind: KindResponse, ID: "11111111-1111-4111-8111-111111111111",
				Project: "odk:household", Answers: map[string]any{"name": "Rabe"}, Origin: tt.origin}
			if tt.wantErr == "" && r.MinVersion() != tt.version {
				t.Fatalf("MinVersion %d, want %d", r.MinVersion(), tt.version)
			}
			r.Version = tt.version
			data, err := r.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseRecord(data)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one naming %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (got.Origin == nil) != (tt.origin == nil) || got.Origin != nil && *got.Origin != *tt.origin {
				t.Errorf("origin %+v, want %+v", got.Origin, tt.origin)
			}
		})
	}
}
