//go:build !linux

package archive

// syncFiles makes the bytes of files, all in dir, durable: one fsync per
// file where there is no syncfs(2).
func syncFiles(dir string, files []string) error {
	for _, f := range files {
		if err := folderSyncFile(f); err != nil {
			return err
		}
	}
	return nil
}
