package archive_test

import (
	"testing"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/archive/storagetest"
)

func TestFolderStateConformance(t *testing.T) {
	storagetest.RunState(t, func(t *testing.T) archive.State {
		f, err := archive.NewFolder(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return f
	})
}
