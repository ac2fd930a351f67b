package main

import (
	"io"
	"math/rand/v2"
	"os"
	"strconv"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdRandFile writes N pseudo-random bytes to FILE, streaming: the same
// bytes for the same N (a recording zstd cannot shrink, and its copy to
// compare with).
func cmdRandFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: randfile FILE N")
	}
	n, err := strconv.ParseInt(args[1], 10, 64)
	ts.Check(err)
	f, err := os.Create(ts.MkAbs(args[0]))
	ts.Check(err)
	_, err = io.Copy(f, io.LimitReader(rand.NewChaCha8([32]byte{13}), n))
	ts.Check(err)
	ts.Check(f.Close())
}
