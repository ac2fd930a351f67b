package store

import (
	"strings"
	"testing"

	"github.com/enquete-field/enquete/crypto"
)

func TestFormSealed(t *testing.T) {
	h := newHome(t)
	v1, v2 := crypto.FormHash([]byte("form v1")), crypto.FormHash([]byte("form v2"))
	if h.FormSealed("household", v1) {
		t.Fatal("sealed before marking")
	}
	if err := h.MarkFormSealed("household", v1); err != nil {
		t.Fatal(err)
	}
	if err := h.MarkFormSealed("household", v1); err != nil {
		t.Errorf("marking twice: %v", err)
	}
	tests := []struct {
		project, sum string
		want         bool
	}{
		{"household", v1, true},
		{"household", v2, false},
		{"testimony", v1, false},
		{"household", strings.ToUpper(v1), false},
		{"household", "../pin", false},
		{"..", v1, false},
	}
	for _, tt := range tests {
		if got := h.FormSealed(tt.project, tt.sum); got != tt.want {
			t.Errorf("FormSealed(%q, %.8s) = %v", tt.project, tt.sum, got)
		}
	}
	if err := h.MarkFormSealed("household", "../../device.age"); err == nil {
		t.Error("a path accepted as hash")
	}
	// A project with sealed-forms but no project file is not installed.
	if ps, err := h.Projects(); err != nil || len(ps) != 0 {
		t.Errorf("Projects = %v, %v", ps, err)
	}
}
