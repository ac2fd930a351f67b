package main

import (
	"bytes"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"os"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/enquete-field/enquete/media"
)

// cmdNoMeta checks that each FILE, a JPEG or PNG, carries no metadata
// (media.Inspect walks it and finds nothing to remove); with !, that it
// carries some.
func cmdNoMeta(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: nometa FILE...")
	}
	for _, name := range args {
		data, err := os.ReadFile(ts.MkAbs(name))
		ts.Check(err)
		if media.Sniff(data) == media.Other {
			ts.Fatalf("%s is not a JPEG or a PNG", name)
		}
		found, err := media.Inspect(data)
		ts.Check(err)
		switch {
		case neg && len(found) == 0:
			ts.Fatalf("%s carries no metadata", name)
		case !neg && len(found) > 0:
			ts.Fatalf("%s carries %v", name, found)
		}
		ts.Logf("%s: %d metadata segments or chunks", name, len(found))
	}
}

// cmdSamePixels checks that images A and B decode to the same pixels.
func cmdSamePixels(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: samepixels A B")
	}
	var imgs [2]image.Image
	for i, name := range args {
		data, err := os.ReadFile(ts.MkAbs(name))
		ts.Check(err)
		imgs[i], _, err = image.Decode(bytes.NewReader(data))
		ts.Check(err)
	}
	a, b := imgs[0], imgs[1]
	same := a.Bounds() == b.Bounds()
	for y := a.Bounds().Min.Y; same && y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; same && x < a.Bounds().Max.X; x++ {
			same = a.At(x, y) == b.At(x, y)
		}
	}
	if same == neg {
		ts.Fatalf("%s and %s: same pixels %v", args[0], args[1], same)
	}
}
