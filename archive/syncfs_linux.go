package archive

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncFiles makes the bytes of files, all in dir, durable with one
// syncfs(2) of dir's file system instead of one fsync per file.
func syncFiles(dir string, files []string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return unix.Syncfs(int(d.Fd()))
}
