package archive

import (
	"testing"

	"filippo.io/age"
)

// BenchArchive gives the benchmarks of package archive_test (the S3 ones)
// the archive of n records that the export benchmarks use: its folder and
// the identity its records are sealed to.
func BenchArchive(b *testing.B, n int) (string, age.Identity) {
	a := getBenchArchive(b, n)
	return a.dir, a.id
}
