// Package release holds the release script (build.sh) and its tests: the
// binaries it builds are byte-identical from two folders, SHA256SUMS's
// signature verifies with ssh-keygen, and the release binary itself runs
// a CLI story (on Linux, and under Wine when it can run Windows binaries).
// It has no Go API.
package release
