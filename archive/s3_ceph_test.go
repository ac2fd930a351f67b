package archive_test

import (
	"testing"

	"github.com/enquete-field/enquete/archive/s3test"
)

// s3Tests are the archive's S3 tests, each given a running S3 server:
// versitygw runs each as its own test (TestS3…), Ceph RGW runs them all
// on one cluster (TestS3OnCeph).
var s3Tests = []struct {
	name string
	fn   func(t *testing.T, srv *s3test.Server)
}{
	{"Conformance", testS3Conformance},
	{"StateConformance", testS3StateConformance},
	{"Layout", testS3Layout},
	{"RepairsDamagedCopy", testS3RepairsDamagedCopy},
	{"Errors", testS3Errors},
	{"Probe", testS3Probe},
	{"Paging", testS3Paging},
	{"StoredCopyCheckedWithoutReading", testS3StoredCopyCheckedWithoutReading},
	{"DamagedInTransitRefused", testS3DamagedInTransitRefused},
}

// TestS3OnCeph runs every S3 test on Ceph RGW: a single-node cluster
// (one monitor, one in-memory OSD, radosgw) started from nothing and
// stopped at the end. Skipped without Ceph's packages, failed under CI.
func TestS3OnCeph(t *testing.T) {
	srv := s3test.StartCeph(t)
	for _, tc := range s3Tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, srv) })
	}
}
