package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// buildVersion and buildCommit are set by release/build.sh through
// -ldflags "-X main.buildVersion=v1.2.3 -X main.buildCommit=HASH": the tag
// and the commit a release binary was built from. Empty in any other build.
var (
	buildVersion string
	buildCommit  string
)

// develVersion names a build that release/build.sh did not make.
const develVersion = "devel"

// buildStamp is what `enquete version` tells: the version, the commit and
// the Go toolchain a binary was built with.
type buildStamp struct {
	Version, Commit, Go string
}

// currentBuild reads the stamp of the running binary: the values the
// release script injected, else what the Go toolchain recorded (a module
// version from `go install …@v1.2.3`, the VCS revision of a build in a
// clone), else "devel" and "unknown".
func currentBuild() buildStamp {
	s := buildStamp{Version: buildVersion, Commit: buildCommit, Go: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if s.Version == "" && ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		s.Version = info.Main.Version
	}
	if s.Commit == "" && ok {
		s.Commit = vcsCommit(info.Settings)
	}
	if s.Version == "" {
		s.Version = develVersion
	}
	if s.Commit == "" {
		s.Commit = "unknown"
	}
	return s
}

// vcsCommit is the revision a build in a clone recorded, marked
// "-modified" when the work tree had changes.
func vcsCommit(settings []debug.BuildSetting) string {
	var rev, modified string
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" && modified == "true" {
		rev += "-modified"
	}
	return rev
}

// printVersion writes the stamp in a fixed, untranslated form that scripts
// and bug reports can quote: "enquete VERSION", "commit HASH", then the Go
// version with the platform, as `go version` prints them.
func printVersion(w io.Writer) {
	s := currentBuild()
	fmt.Fprintf(w, "enquete %s\ncommit %s\n%s %s/%s\n", s.Version, s.Commit, s.Go, runtime.GOOS, runtime.GOARCH)
}
