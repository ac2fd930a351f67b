package main

import (
	"runtime/debug"
	"testing"
)

// TestVCSCommit checks the commit a build outside release/build.sh tells:
// the revision the Go toolchain recorded, marked when the tree had changes.
func TestVCSCommit(t *testing.T) {
	rev := "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name     string
		settings []debug.BuildSetting
		want     string
	}{
		{"no vcs stamp", nil, ""},
		{"clean clone", []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "false"}}, rev},
		{"changed tree", []debug.BuildSetting{{Key: "vcs.modified", Value: "true"}, {Key: "vcs.revision", Value: rev}}, rev + "-modified"},
		{"modified without revision", []debug.BuildSetting{{Key: "vcs.modified", Value: "true"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := vcsCommit(tt.settings); got != tt.want {
				t.Errorf("vcsCommit = %q, want %q", got, tt.want)
			}
		})
	}
}
